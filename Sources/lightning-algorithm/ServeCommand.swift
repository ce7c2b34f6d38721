import ArgumentParser
import LightningAlgorithm
import LightningModel
import LightningServices
import LightningWire
import Logging
import ServiceLifecycle

/// `lightning-algorithm serve`: the model host alone, serving an open-weight model (--model), a checkpoint or a freshly initialised GPT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over the OpenAI-compatible HTTP API, recording calls under rollout URLs in the store."
    )

    @OptionGroup var model: ModelHostOptions

    @Option(help: "Store endpoint, e.g. tcp://127.0.0.1:5555 [env: LIGHTNING_STORE]; enables call recording")
    var store: String?

    func run() async throws {
        ServiceSetup.bootstrapLogging(level: self.model.logLevel)
        let registry = ServiceSetup.bootstrapMetrics()
        let logger = Logger(label: "lightning-algorithm")
        let options = self.model
        let engine: GenerationEngine, configuration: ModelHostConfiguration, text: any ModelText
        if let openWeights = try options.loadOpenWeightModel() {
            logger.info("serving \(openWeights.origin)", metadata: ["model.name": "\(openWeights.name)"])
            engine = try options.engine(for: openWeights)
            configuration = options.hostConfiguration(for: openWeights)
            text = openWeights.text
        } else {
            let model = try options.loadModel()
            logger.info("serving \(model.origin)", metadata: ["model.version": "\(model.version)"])
            engine = try options.engine(for: model)
            configuration = options.hostConfiguration(for: model)
            text = ByteLevelText()
        }

        let endpoint = store ?? Environment.string("LIGHTNING_STORE")
        let security = try options.storeSecurity()
        let recorder = try endpoint.map { try StoreCallRecorder.connecting(to: $0, security: security, logger: logger) }
        if let endpoint {
            logger.info("recording calls under /rollout/… in the store", metadata: ["store.endpoint": "\(endpoint)"])
        } else {
            logger.notice("no --store: calls under /rollout/{rollout_id}/attempt/{attempt_id}/v1 are served but not recorded")
        }
        let host = ModelHost(engine: engine, configuration: configuration, text: text, recorder: recorder,
                             metricsText: { registry.emitToString() }, logger: logger)
        // The host goes last: on shutdown it stops first, then the recorder flushes what it holds.
        let services: [any Service] = (recorder.map { [$0] } ?? []) + [host]
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        await engine.shutdown()
        logger.info("model host stopped")
    }
}
