import Foundation
import LightningModel
import Testing

/// An actor that trains on its own thread, as the RL trainer is meant to.
private actor TrainerHost {
    let executor = DedicatedThreadExecutor(name: "test-trainer")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let model: TrainingModel

    init() throws {
        model = try TrainingModel(config: ModelConfig(layers: 1, heads: 2, width: 16, context: 8), seed: 1, threads: 1)
    }

    /// The OS thread name (Foundation's `Thread.current.name` is not reliable on Linux).
    func runsOnExecutorThread() -> Bool { executor.isCurrentThread }

    func threadName() -> String {
        #if os(Linux)
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return name.trimmingCharacters(in: .whitespacesAndNewlines)
        #else
        var buffer = [CChar](repeating: 0, count: 64)
        pthread_getname_np(pthread_self(), &buffer, buffer.count)
        return String(cString: buffer)
        #endif
    }

    func loss() throws -> Float {
        let tokens: [Int32] = [1, 2, 3, 4]
        let out = try model.forward(TokenBatch(tokens: tokens, targets: tokens, batchSize: 1, sequenceLength: 4))
        return -out.logprobs.reduce(0, +) / 4
    }
}

@Suite struct DedicatedThreadExecutorTests {
    @Test func actorMethodsRunOnTheDedicatedThread() async throws {
        let host = try TrainerHost()
        #expect(await host.runsOnExecutorThread())
        #expect(await host.threadName() == "test-trainer")
        let losses = try await withThrowingTaskGroup(of: Float.self) { group in
            for _ in 0..<8 { group.addTask { try await host.loss() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(losses.count == 8)
        #expect(Set(losses).count == 1)
    }
}
