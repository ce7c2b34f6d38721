import Foundation
import LightningClient
import LightningCore
import LightningStore
import LightningWire
import Logging
import Testing

/// A store running in this process on a fresh database, with a client connected to it.
struct TestStore: Sendable {
    let application: StoreApplication
    let client: StoreClient
    let database: TestDatabase
    let context: ZMQContext

    var requestEndpoint: String { application.server.requestEndpoint }
    var eventEndpoint: String { application.server.eventEndpoint }

    func makeClient(
        security: CurveClientSecurity? = nil, retry: RetryPolicy = RetryPolicy(budget: .seconds(5)), requestTimeout: Duration = .seconds(10)
    ) throws -> StoreClient {
        try StoreClient(
            configuration: StoreClientConfiguration(
                endpoints: [requestEndpoint], eventEndpoints: [eventEndpoint], security: security, requestTimeout: requestTimeout, retry: retry
            ),
            context: context
        )
    }
}

/// Quick settings for tests: short watchdog and poll intervals, a small pool, ephemeral ports.
func testConfiguration(databaseURL: String) -> StoreConfiguration {
    var configuration = StoreConfiguration()
    configuration.databaseURL = databaseURL
    configuration.databaseConnections = 6
    configuration.databaseTimeout = .seconds(10)
    configuration.server.requestEndpoint = "tcp://127.0.0.1:*"
    configuration.server.eventEndpoint = "tcp://127.0.0.1:*"
    configuration.httpHost = "127.0.0.1"
    configuration.httpPort = 0
    configuration.options.watchdogInterval = .milliseconds(100)
    configuration.options.pollInterval = .milliseconds(200)
    return configuration
}

var testLogger: Logger {
    var logger = Logger(label: "test-store")
    logger.logLevel = ProcessInfo.processInfo.environment["LIGHTNING_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return logger
}

/// Runs `body` against a store of its own; the store and its database are gone afterwards.
func withTestStore(
    configure: (inout StoreConfiguration) throws -> Void = { _ in },
    _ body: @Sendable (TestStore) async throws -> Void
) async throws {
    let database = try await TestDatabase.create()
    do {
        try await runTestStore(database: database, configure: configure, body)
    } catch {
        await database.drop()
        throw error
    }
    await database.drop()
}

private func runTestStore(
    database: TestDatabase, configure: (inout StoreConfiguration) throws -> Void, _ body: @Sendable (TestStore) async throws -> Void
) async throws {
    var configuration = testConfiguration(databaseURL: database.url)
    try configure(&configuration)
    let context = try ZMQContext()
    let application = try StoreApplication(configuration: configuration, context: context, logger: testLogger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await application.run(handleSignals: false) }
        let store = TestStore(
            application: application,
            client: try StoreClient(
                configuration: StoreClientConfiguration(
                    endpoints: [application.server.requestEndpoint], eventEndpoints: [application.server.eventEndpoint],
                    security: nil, requestTimeout: .seconds(10), retry: RetryPolicy(budget: .seconds(5))
                ),
                context: context
            ),
            database: database, context: context
        )
        defer { store.client.close() }
        if configuration.server.security == nil { _ = try await store.client.ping() }
        try await eventually("the HTTP port is bound") { application.boundHTTPPort != nil }
        try await body(store)
        group.cancelAll()
    }
}

/// Waits until `condition` holds, checking every 50 ms, for at most `timeout`.
func eventually(
    timeout: Duration = .seconds(10), _ what: String, _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw LightningError(.timeout, "gave up waiting: \(what)")
}

/// A task submission with just an input.
func submission(_ input: String = #"{"question":"1+1"}"#, config: RolloutConfig = RolloutConfig(), mode: RolloutMode = .train, group: String? = nil) -> RolloutSubmission {
    RolloutSubmission(input: JSONText(unchecked: input), mode: mode, groupKey: group, config: config)
}

/// A span of an attempt with the given name and attributes.
func span(_ claimed: ClaimedRollout, name: String = "step", attributes: String = "{}", id: String = Identifier.spanID()) -> Span {
    Span(
        rolloutID: claimed.rollout.rolloutID, attemptID: claimed.attempt.attemptID, traceID: "0123456789abcdef0123456789abcdef",
        spanID: id, name: name, startTimeUnixNano: 1_000, endTimeUnixNano: 2_000, attributes: JSONText(unchecked: attributes)
    )
}

func rewardSpan(_ claimed: ClaimedRollout, value: Double) -> Span {
    span(claimed, name: "lightning.reward", attributes: #"{"lightning.reward.value":\#(value)}"#)
}

/// Expects `body` to fail with a `LightningError` of `code`.
func expectError<T>(
    _ code: ErrorCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected the error \(code.rawValue), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as LightningError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected the error \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
    }
}
