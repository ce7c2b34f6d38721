import ArgumentParser
import LightningAlgorithm
import LightningModel
import LightningServices
import LightningWire
import Logging
import ServiceLifecycle

/// `lightning-algorithm serve`: the model host alone, serving a checkpoint or a freshly initialised model.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over the OpenAI-compatible HTTP API, recording calls under rollout URLs in the store."
    )

    @Option(help: "Checkpoint file to serve [env: LIGHTNING_CHECKPOINT]; without it a fresh model of --size")
    var checkpoint: String?

    @Option(help: "Model size S or M for a fresh model [env: LIGHTNING_MODEL_SIZE]")
    var size = Environment.string("LIGHTNING_MODEL_SIZE", default: "S")

    @Option(help: "Seed of a fresh model's weights [env: LIGHTNING_MODEL_SEED]")
    var seed = Environment.int("LIGHTNING_MODEL_SEED", default: 0)

    @Option(help: "Address to listen on [env: LIGHTNING_MODEL_HOST]")
    var host = Environment.string("LIGHTNING_MODEL_HOST", default: "0.0.0.0")

    @Option(help: "HTTP port [env: LIGHTNING_MODEL_PORT]")
    var port = Environment.int("LIGHTNING_MODEL_PORT", default: 8000)

    @Option(help: "Model name clients send [env: LIGHTNING_MODEL_NAME] (default lightning-s or lightning-m)")
    var modelName: String?

    @Option(help: "Require 'Authorization: Bearer <key>' [env: LIGHTNING_API_KEY] (default: no key)")
    var apiKey: String?

    @Option(help: "Store endpoint, e.g. tcp://127.0.0.1:5555 [env: LIGHTNING_STORE]; enables call recording")
    var store: String?

    @Option(help: "The store's CurveZMQ public key [env: LIGHTNING_CURVE_SERVER_KEY]")
    var curveServerKey: String?

    @Option(help: "This host's CurveZMQ secret key [env: LIGHTNING_CURVE_SECRET_KEY]")
    var curveSecretKey: String?

    @Option(help: "Compute threads of the engine [env: LIGHTNING_MODEL_THREADS] (default: the number of cores)")
    var threads = ComputeThreads.defaultWorkers

    @Option(help: "Sequences decoded at once, the largest n [env: LIGHTNING_MAX_SEQUENCES]")
    var maxSequences = Environment.int("LIGHTNING_MAX_SEQUENCES", default: 64)

    @Option(help: "trace, debug, info, notice, warning or error [env: LIGHTNING_LOG_LEVEL]")
    var logLevel = Environment.string("LIGHTNING_LOG_LEVEL", default: "info")

    func run() async throws {
        ServiceSetup.bootstrapLogging(level: logLevel)
        let registry = ServiceSetup.bootstrapMetrics()
        let logger = Logger(label: "lightning-algorithm")
        let model = try ServedModel.load(checkpoint: checkpoint ?? Environment.string("LIGHTNING_CHECKPOINT"), size: size, seed: seed)
        logger.info("serving \(model.origin)", metadata: ["model.version": "\(model.version)"])
        let engine = try GenerationEngine(weights: model.weights, version: model.version,
                                          configuration: .init(maxSequences: maxSequences, threads: threads))
        var configuration = ModelHostConfiguration(host: host, port: port, apiKey: apiKey ?? Environment.string("LIGHTNING_API_KEY"))
        configuration.modelName = modelName ?? Environment.string("LIGHTNING_MODEL_NAME") ?? ModelHostConfiguration.defaultModelName(for: model.weights.config)

        let endpoint = store ?? Environment.string("LIGHTNING_STORE")
        let security = try CurveClientSecurity.keys(
            server: curveServerKey ?? Environment.string("LIGHTNING_CURVE_SERVER_KEY"),
            secret: curveSecretKey ?? Environment.string("LIGHTNING_CURVE_SECRET_KEY"))
        let recorder = try endpoint.map { try StoreCallRecorder.connecting(to: $0, security: security, logger: logger) }
        if let endpoint {
            logger.info("recording calls under /rollout/… in the store", metadata: ["store.endpoint": "\(endpoint)"])
        } else {
            logger.notice("no --store: calls under /rollout/{rollout_id}/attempt/{attempt_id}/v1 are served but not recorded")
        }
        let host = ModelHost(engine: engine, configuration: configuration, recorder: recorder,
                             metricsText: { registry.emitToString() }, logger: logger)
        // The host goes last: on shutdown it stops first, then the recorder flushes what it holds.
        let services: [any Service] = (recorder.map { [$0] } ?? []) + [host]
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        await engine.shutdown()
        logger.info("model host stopped")
    }
}
