import ArgumentParser
import LightningServices
import LightningStore
import LightningWire
import Logging

@main
struct LightningStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lightning-store",
        abstract: "The LightningStore: rollouts, attempts, spans, resources and training jobs in PostgreSQL, served over ZeroMQ."
    )

    @Option(help: "PostgreSQL URL [env: LIGHTNING_DATABASE_URL] (default postgres://postgres@127.0.0.1:5432/lightning)")
    var databaseURL: String?

    @Option(help: "PostgreSQL password, instead of the URL's [env: LIGHTNING_DATABASE_PASSWORD or LIGHTNING_DATABASE_PASSWORD_FILE]")
    var databasePassword: String?

    @Option(help: "Database connections in the pool [env: LIGHTNING_DATABASE_CONNECTIONS]")
    var databaseConnections = Environment.int("LIGHTNING_DATABASE_CONNECTIONS", default: 16)

    @Option(help: "Seconds before a database call fails with `unavailable` [env: LIGHTNING_DATABASE_TIMEOUT]")
    var databaseTimeout = Environment.double("LIGHTNING_DATABASE_TIMEOUT", default: 10)

    @Option(help: "ZeroMQ endpoint for requests [env: LIGHTNING_STORE_ENDPOINT]")
    var endpoint = Environment.string("LIGHTNING_STORE_ENDPOINT", default: "tcp://0.0.0.0:5555")

    @Option(help: "ZeroMQ endpoint for events [env: LIGHTNING_EVENTS_ENDPOINT]")
    var eventsEndpoint = Environment.string("LIGHTNING_EVENTS_ENDPOINT", default: "tcp://0.0.0.0:5556")

    @Option(help: "HTTP host for health, metrics and OTLP [env: LIGHTNING_HTTP_HOST]")
    var httpHost = Environment.string("LIGHTNING_HTTP_HOST", default: "0.0.0.0")

    @Option(help: "HTTP port for health, metrics and OTLP [env: LIGHTNING_HTTP_PORT]")
    var httpPort = Environment.int("LIGHTNING_HTTP_PORT", default: 4318)

    @Option(help: "Largest request in bytes [env: LIGHTNING_MAX_MESSAGE_BYTES]")
    var maxMessageBytes = Environment.int("LIGHTNING_MAX_MESSAGE_BYTES", default: 64 << 20)

    @Option(help: "Seconds without a heartbeat after which a worker is listed as lost [env: LIGHTNING_WORKER_LOST_SECONDS]")
    var workerLostSeconds = Environment.double("LIGHTNING_WORKER_LOST_SECONDS", default: 60)

    @Option(help: "Seconds between watchdog passes [env: LIGHTNING_WATCHDOG_INTERVAL]")
    var watchdogInterval = Environment.double("LIGHTNING_WATCHDOG_INTERVAL", default: 1)

    @Option(help: "Span writes in flight at once, each coalescing concurrent add_spans calls [env: LIGHTNING_SPAN_WRITERS]")
    var spanWriters = Environment.int("LIGHTNING_SPAN_WRITERS", default: StoreOptions().spanWriters)

    @Option(help: "Status-change batches in flight at once [env: LIGHTNING_TRANSITION_WRITERS]")
    var transitionWriters = Environment.int("LIGHTNING_TRANSITION_WRITERS", default: StoreOptions().transitionWriters)

    @Option(help: "CurveZMQ server secret key, Z85 [env: LIGHTNING_CURVE_SECRET_KEY]; enables encryption")
    var curveSecretKey: String?

    @Option(help: "Client public keys allowed in, comma-separated Z85 [env: LIGHTNING_CURVE_ALLOWED_KEYS]")
    var curveAllowedKeys: String?

    @Option(help: "Bearer API key required on OTLP exports [env: LIGHTNING_API_KEY]")
    var apiKey: String?

    @Option(help: "trace, debug, info, notice, warning or error [env: LIGHTNING_LOG_LEVEL]")
    var logLevel = Environment.string("LIGHTNING_LOG_LEVEL", default: "info")

    func run() async throws {
        ServiceSetup.bootstrapLogging(level: logLevel)
        let registry = ServiceSetup.bootstrapMetrics()
        let logger = Logger(label: "lightning-store")

        var configuration = StoreConfiguration()
        configuration.databaseURL = databaseURL ?? Environment.string("LIGHTNING_DATABASE_URL", default: configuration.databaseURL)
        if let password = databasePassword ?? Environment.string("LIGHTNING_DATABASE_PASSWORD") {
            configuration.databaseURL = DatabaseURL.setting(password: password, in: configuration.databaseURL)
        }
        configuration.databaseConnections = databaseConnections
        configuration.databaseTimeout = .milliseconds(Int64(databaseTimeout * 1000))
        configuration.server.requestEndpoint = endpoint
        configuration.server.eventEndpoint = eventsEndpoint
        configuration.server.maxMessageBytes = maxMessageBytes
        configuration.server.security = try curveSecurity()
        configuration.httpHost = httpHost
        configuration.httpPort = httpPort
        configuration.apiKey = apiKey ?? Environment.string("LIGHTNING_API_KEY")
        configuration.options.workerLostSeconds = workerLostSeconds
        configuration.options.watchdogInterval = .milliseconds(Int64(watchdogInterval * 1000))
        guard spanWriters >= 1, transitionWriters >= 1 else { throw ValidationError("span and transition writers must be at least 1") }
        configuration.options.spanWriters = spanWriters
        configuration.options.transitionWriters = transitionWriters

        logger.info("starting", metadata: [
            "store.database": "\(DatabaseURL.redacted(configuration.databaseURL))", "store.zmq": "\(ZMQContext.libraryVersion)",
        ])
        let application = try StoreApplication(
            configuration: configuration, context: try ZMQContext(), logger: logger, metricsText: { registry.emitToString() }
        )
        try await application.run()
    }

    private func curveSecurity() throws -> CurveServerSecurity? {
        guard let secret = curveSecretKey ?? Environment.string("LIGHTNING_CURVE_SECRET_KEY") else { return nil }
        let keys = try CurveKeyPair(publicKey: CurveKeyPair.publicKey(forSecret: secret), secretKey: secret)
        let allowed = (curveAllowedKeys ?? Environment.string("LIGHTNING_CURVE_ALLOWED_KEYS") ?? "")
            .split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        return try CurveServerSecurity(serverKeys: keys, allowedClientKeys: Set(allowed))
    }
}
