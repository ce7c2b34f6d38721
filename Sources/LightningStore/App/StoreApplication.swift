import Foundation
import Hummingbird
import LightningCore
import LightningWire
import Logging
import ServiceLifecycle

/// The whole `lightning-store` process: database pool, migrations, background work, the ZeroMQ server
/// and the HTTP server, shut down in that order reversed.
public final class StoreApplication: Sendable {
    public let store: PostgresStore
    public let server: StoreServer
    public let events: EventBus
    private let database: Database
    private let http: Application<RouterResponder<BasicRequestContext>>
    private let logger: Logger
    private let httpPort: Locked<Int?>

    public init(
        configuration: StoreConfiguration, context: ZMQContext, logger: Logger, metricsText: (@Sendable () -> String)? = nil
    ) throws {
        self.logger = logger
        database = try Database(
            url: configuration.databaseURL, maxConnections: configuration.databaseConnections,
            timeout: configuration.databaseTimeout, logger: logger
        )
        events = EventBus()
        store = PostgresStore(database: database, options: configuration.options, events: events, logger: logger)
        let handler = RequestHandler(store: store, maxMessageBytes: configuration.server.maxMessageBytes, logger: logger)
        server = try StoreServer(
            context: context, configuration: configuration.server, handler: handler, events: events, logger: logger,
            releaseWaits: { [store] in store.releaseWaits() })
        let port = Locked<Int?>(nil)
        httpPort = port
        http = Application(
            router: StoreHTTP.router(database: database, store: store, configuration: configuration, metricsText: metricsText),
            configuration: ApplicationConfiguration(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "lightning-store"),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            logger: logger
        )
    }

    /// The HTTP port once the server listens (useful when configured with port 0).
    public var boundHTTPPort: Int? { httpPort.withLock { $0 } }

    /// Runs until SIGTERM/SIGINT (or cancellation): waits for the database, migrates, then serves.
    public func run(handleSignals: Bool = true) async throws {
        let database = self.database
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            await database.waitUntilRunning()
            try await self.migrateWhenReachable()
            try await self.serve(handleSignals: handleSignals)
            group.cancelAll()
        }
        logger.info("store stopped")
    }

    private func serve(handleSignals: Bool) async throws {
        let services = ServiceGroup(
            services: [store, http, server],
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            logger: logger
        )
        // The store's tasks run on the database's event loop (their child tasks inherit the preference).
        try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop: database.eventLoop)) {
            try await services.run()
        }
    }

    /// Retries the migrations with back-off until the database answers.
    private func migrateWhenReachable() async throws {
        var delayMilliseconds = 200
        while true {
            let outcome = try await migrateOnce()
            guard let problem = outcome else { return }
            logger.warning("waiting for the database", metadata: ["store.error": "\(problem)"])
            try await Task.sleep(for: .milliseconds(delayMilliseconds))
            delayMilliseconds = min(delayMilliseconds * 2, 5000)
        }
    }

    /// `nil` when migrated; the reason when the database is not reachable yet. Other errors are fatal.
    private func migrateOnce() async throws -> String? {
        do {
            try await store.migrate()
            return nil
        } catch {
            if error.code == .unavailable { return error.message }
            throw error
        }
    }
}
