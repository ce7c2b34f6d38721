import Foundation
import LightningAlgorithm
import LightningModel
import ServiceLifecycle

/// A running model host of the tests.
struct TestModelHost: Sendable {
    /// `http://127.0.0.1:PORT`
    let root: String
    let engine: GenerationEngine
    let recorder: StoreCallRecorder
}

/// A small model host recording its calls into `store`, for the duration of `body`. Stopped
/// gracefully: the host first, then the recorder flushes what it holds.
func withModelHost<T: Sendable>(
    _ store: TestStore, weights: ModelWeights, version: Int = 1, modelName: String = "lightning-test",
    _ body: @Sendable (TestModelHost) async throws -> T
) async throws -> T {
    let engine = try GenerationEngine(weights: weights, version: version, configuration: .init(maxSequences: 4, threads: 1))
    return try await withModelHost(store, engine: engine, text: ByteLevelText(), modelName: modelName, body)
}

/// A model host serving `engine` with `text` (a real model's tokenizer and template), recording into
/// `store`, for the duration of `body`; the engine is shut down afterwards.
func withModelHost<T: Sendable>(
    _ store: TestStore, engine: GenerationEngine, text: any ModelText, modelName: String,
    _ body: @Sendable (TestModelHost) async throws -> T
) async throws -> T {
    let recorder = StoreCallRecorder(store: store.client, logger: testLogger)
    let host = ModelHost(engine: engine, configuration: ModelHostConfiguration(host: "127.0.0.1", port: 0, modelName: modelName),
                         text: text, recorder: recorder, logger: testLogger)
    let group = ServiceGroup(services: [recorder, host], gracefulShutdownSignals: [], logger: testLogger)
    let result = try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let port = await host.listeningPort()
        do {
            let result = try await body(TestModelHost(root: "http://127.0.0.1:\(port)", engine: engine, recorder: recorder))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
    }
    await engine.shutdown()
    return result
}

/// A path inside the repository, for the examples the tests run unchanged.
func repositoryPath(_ relative: String, file: String = #filePath) -> String {
    var url = URL(fileURLWithPath: file)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        url.deleteLastPathComponent()
    }
    return url.appendingPathComponent(relative).path
}
