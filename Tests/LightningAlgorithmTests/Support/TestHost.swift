import Foundation
import LightningAlgorithm
import LightningModel
import Logging
import ServiceLifecycle

/// A model host on a free loopback port, serving a tiny random model.
struct TestHost: Sendable {
    static let modelName = "lightning-test"
    /// Small enough that a request takes milliseconds.
    static let tinyConfig = ModelConfig(layers: 2, heads: 2, width: 32, context: 256)

    let host: ModelHost
    let port: Int
    let weights: ModelWeights

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    func rolloutURL(rollout: String, attempt: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)/rollout/\(rollout)/attempt/\(attempt)/v1")!
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }
}

var quietLogger: Logger {
    var logger = Logger(label: "test-model-host")
    logger.logLevel = ProcessInfo.processInfo.environment["LIGHTNING_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return logger
}

/// Runs `body` against a model host of its own, then shuts the host and its engine down.
func withTestHost(
    config: ModelConfig = TestHost.tinyConfig, apiKey: String? = nil, recorder: (any CallRecorder)? = nil, maxSequences: Int = 8,
    _ body: @Sendable (TestHost) async throws -> Void
) async throws {
    let weights = try ModelWeights(config: config, seed: 1)
    let engine = try GenerationEngine(weights: weights, version: 0, configuration: .init(maxSequences: maxSequences, threads: 1))
    let host = ModelHost(
        engine: engine, configuration: ModelHostConfiguration(host: "127.0.0.1", port: 0, modelName: TestHost.modelName, apiKey: apiKey),
        recorder: recorder, logger: quietLogger)
    let group = ServiceGroup(services: [host], gracefulShutdownSignals: [], logger: quietLogger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let port = await host.listeningPort()
        do {
            try await body(TestHost(host: host, port: port, weights: weights))
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
    await engine.shutdown()
}

/// Waits until `condition` holds, checking every 20 ms, for at most `timeout`.
func eventually(timeout: Duration = .seconds(10), _ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("gave up waiting: \(what)")
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
