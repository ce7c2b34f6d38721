import ArgumentParser
import LightningAlgorithm
import LightningModel
import LightningServices
import LightningWire

/// The options `serve` and `train` share: the model to start from, the HTTP host that serves it, and
/// the client keys for the store.
struct ModelHostOptions: ParsableArguments {
    @Option(help: "An open-weight model to serve: a .gguf file or a Hugging Face model folder [env: LIGHTNING_MODEL]")
    var model: String?

    @Option(help: "A Jinja chat template file used instead of the one the model carries [env: LIGHTNING_CHAT_TEMPLATE]")
    var chatTemplate: String?

    @Option(help: "Checkpoint to start from [env: LIGHTNING_CHECKPOINT]; without it a fresh model of --size")
    var checkpoint: String?

    @Option(help: "Model size S or M for a fresh model [env: LIGHTNING_MODEL_SIZE]")
    var size = Environment.string("LIGHTNING_MODEL_SIZE", default: "S")

    @Option(help: "Seed of a fresh model's weights [env: LIGHTNING_MODEL_SEED]")
    var seed = Environment.int("LIGHTNING_MODEL_SEED", default: 0)

    @Option(help: "Address the model host listens on [env: LIGHTNING_MODEL_HOST]")
    var host = Environment.string("LIGHTNING_MODEL_HOST", default: "0.0.0.0")

    @Option(help: "Model host port [env: LIGHTNING_MODEL_PORT]")
    var port = Environment.int("LIGHTNING_MODEL_PORT", default: 8000)

    @Option(help: "Model name clients send [env: LIGHTNING_MODEL_NAME] (default lightning-s or lightning-m)")
    var modelName: String?

    @Option(help: "Require 'Authorization: Bearer <key>' [env: LIGHTNING_API_KEY] (default: no key)")
    var apiKey: String?

    @Option(help: "Compute threads [env: LIGHTNING_MODEL_THREADS] (default: the number of cores)")
    var threads = Environment.int("LIGHTNING_MODEL_THREADS", default: ComputeThreads.defaultWorkers)

    @Option(help: "Sequences decoded at once, the largest n [env: LIGHTNING_MAX_SEQUENCES]")
    var maxSequences = Environment.int("LIGHTNING_MAX_SEQUENCES", default: 64)

    @Option(help: "The store's CurveZMQ public key [env: LIGHTNING_CURVE_SERVER_KEY]")
    var curveServerKey: String?

    @Option(help: "This service's CurveZMQ secret key [env: LIGHTNING_CURVE_SECRET_KEY]")
    var curveSecretKey: String?

    @Option(help: "trace, debug, info, notice, warning or error [env: LIGHTNING_LOG_LEVEL]")
    var logLevel = Environment.string("LIGHTNING_LOG_LEVEL", default: "info")

    func loadModel() throws -> ServedModel {
        try ServedModel.load(checkpoint: checkpoint ?? Environment.string("LIGHTNING_CHECKPOINT"), size: size, seed: seed)
    }

    /// The open-weight model named by --model, nil when the project's GPT is served.
    func loadOpenWeightModel() throws -> OpenWeightModel? {
        guard let path = model ?? Environment.string("LIGHTNING_MODEL") else { return nil }
        return try OpenWeightModel.load(path: path, chatTemplatePath: chatTemplate ?? Environment.string("LIGHTNING_CHAT_TEMPLATE"))
    }

    func engine(for model: OpenWeightModel) throws -> GenerationEngine {
        try GenerationEngine(weights: model.weights, vocabulary: model.text.vocabulary, version: 0,
                             configuration: .init(maxSequences: maxSequences, threads: threads))
    }

    func hostConfiguration(for model: OpenWeightModel) -> ModelHostConfiguration {
        var configuration = ModelHostConfiguration(host: host, port: port, apiKey: apiKey ?? Environment.string("LIGHTNING_API_KEY"))
        configuration.modelName = modelName ?? Environment.string("LIGHTNING_MODEL_NAME") ?? model.name
        return configuration
    }

    func engine(for model: ServedModel) throws -> GenerationEngine {
        try GenerationEngine(weights: model.weights, version: model.version, configuration: .init(maxSequences: maxSequences, threads: threads))
    }

    func hostConfiguration(for model: ServedModel) -> ModelHostConfiguration {
        var configuration = ModelHostConfiguration(host: host, port: port, apiKey: apiKey ?? Environment.string("LIGHTNING_API_KEY"))
        configuration.modelName = modelName ?? Environment.string("LIGHTNING_MODEL_NAME") ?? ModelHostConfiguration.defaultModelName(for: model.weights.config)
        return configuration
    }

    func storeSecurity() throws -> CurveClientSecurity? {
        try CurveClientSecurity.keys(
            server: curveServerKey ?? Environment.string("LIGHTNING_CURVE_SERVER_KEY"),
            secret: curveSecretKey ?? Environment.string("LIGHTNING_CURVE_SECRET_KEY"))
    }
}
