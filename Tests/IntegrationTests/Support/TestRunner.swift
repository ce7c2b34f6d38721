import Foundation
import LightningClient
import LightningCore
import LightningRunner
import Logging
import ServiceLifecycle

/// Runs an in-process runner against a test store for the duration of `body`.
func withRunner(
    _ store: TestStore, agent: any Agent, workers: Int = 2, configure: (inout RunnerConfiguration) -> Void = { _ in },
    _ body: @Sendable () async throws -> Void
) async throws {
    var configuration = RunnerConfiguration()
    configuration.workers = workers
    configuration.workerPrefix = "test-\(Identifier.make(""))"
    configuration.dequeueWaitSeconds = 0.5
    configuration.heartbeatInterval = .milliseconds(200)
    configure(&configuration)
    let runner = Runner(store: store.client, agent: agent, configuration: configuration, logger: testLogger)
    // Stopped gracefully, as SIGTERM would: a dequeue in flight finishes instead of claiming a rollout for
    // a runner that is gone.
    let services = ServiceGroup(services: [runner], gracefulShutdownSignals: [], logger: testLogger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        do {
            try await body()
        } catch {
            await services.triggerGracefulShutdown()
            throw error
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
    }
}

/// The store's OTLP endpoint, for external agents.
extension TestStore {
    var otlpEndpoint: String { "http://127.0.0.1:\(application.boundHTTPPort ?? 0)" }

    /// Waits for the rollouts to end and returns them.
    func finished(_ ids: [String], timeout: Double = 30) async throws -> [Rollout] {
        let ended = try await client.waitForRollouts(rolloutIDs: ids, timeoutSeconds: timeout)
        guard ended.count == ids.count else {
            throw LightningError(.timeout, "\(ended.count) of \(ids.count) rollouts ended in \(timeout) s")
        }
        return ended
    }
}

/// Writes a Python agent script to a temporary file; returns the command that runs it.
func pythonAgent(_ source: String) throws -> String {
    let path = NSTemporaryDirectory() + "lt-agent-\(Identifier.make("")).py"
    try source.write(toFile: path, atomically: true, encoding: .utf8)
    return "python3 \(path)"
}
