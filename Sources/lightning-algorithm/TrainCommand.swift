import ArgumentParser
import Foundation
import LightningAlgorithm
import LightningClient
import LightningCore
import LightningModel
import LightningServices
import LightningWire
import Logging
import ServiceLifecycle

/// `lightning-algorithm train`: the trainer and the model host it trains, in one process. Runs the
/// jobs created in the store (`lightning-ctl train …`), or one job given here with `--task`.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Run training jobs from the store, serving the model being trained to the runners."
    )

    @Option(help: "Store endpoint [env: LIGHTNING_STORE]")
    var store = Environment.string("LIGHTNING_STORE", default: "tcp://127.0.0.1:5555")

    @Option(help: "Create and run this job: a built-in task (calc, digits) [env: LIGHTNING_TASK]; without it, run jobs from the store")
    var task: String?

    @Option(help: "Algorithm of the job created with --task: grpo, or ppo (adds a value head and uses GAE)")
    var algorithm = "grpo"

    @Option(help: "Steps of the job created with --task")
    var steps = 40

    @Option(help: "Settings of the job created with --task, a JSON object (see the README)")
    var config = "{}"

    @Option(help: "Id of the job created with --task (default: a new one); reusing an id resumes that job")
    var jobID: String?

    @Option(help: "Name this trainer holds jobs under; keep it across restarts to resume [env: LIGHTNING_TRAINER_NAME]")
    var name = Environment.string("LIGHTNING_TRAINER_NAME", default: TrainingService.Configuration().owner)

    @Option(help: "Directory of the checkpoints [env: LIGHTNING_CHECKPOINT_DIR]")
    var checkpointDir = Environment.string("LIGHTNING_CHECKPOINT_DIR", default: ".lightning/checkpoints")

    @Option(help: "Initial checkpoint [env: LIGHTNING_CHECKPOINT]; without it a fresh model of --size")
    var checkpoint: String?

    @Option(help: "Model size S or M for a fresh model [env: LIGHTNING_MODEL_SIZE]")
    var size = Environment.string("LIGHTNING_MODEL_SIZE", default: "S")

    @Option(help: "Seed of a fresh model's weights [env: LIGHTNING_MODEL_SEED]")
    var seed = Environment.int("LIGHTNING_MODEL_SEED", default: 0)

    @Option(help: "Address the model host listens on [env: LIGHTNING_MODEL_HOST]")
    var host = Environment.string("LIGHTNING_MODEL_HOST", default: "0.0.0.0")

    @Option(help: "Model host port [env: LIGHTNING_MODEL_PORT]")
    var port = Environment.int("LIGHTNING_MODEL_PORT", default: 8000)

    @Option(help: "The model host's URL as runners reach it [env: LIGHTNING_MODEL_PUBLIC_URL] (default http://127.0.0.1:<port>)")
    var publicURL: String?

    @Option(help: "Model name clients send [env: LIGHTNING_MODEL_NAME] (default lightning-s or lightning-m)")
    var modelName: String?

    @Option(help: "Compute threads [env: LIGHTNING_MODEL_THREADS] (default: the number of cores)")
    var threads = Environment.int("LIGHTNING_MODEL_THREADS", default: ComputeThreads.defaultWorkers)

    @Option(help: "The store's CurveZMQ public key [env: LIGHTNING_CURVE_SERVER_KEY]")
    var curveServerKey: String?

    @Option(help: "This trainer's CurveZMQ secret key [env: LIGHTNING_CURVE_SECRET_KEY]")
    var curveSecretKey: String?

    @Option(help: "trace, debug, info, notice, warning or error [env: LIGHTNING_LOG_LEVEL]")
    var logLevel = Environment.string("LIGHTNING_LOG_LEVEL", default: "info")

    func run() async throws {
        ServiceSetup.bootstrapLogging(level: logLevel)
        let registry = ServiceSetup.bootstrapMetrics()
        let logger = Logger(label: "lightning-algorithm")
        let model = try ServedModel.load(checkpoint: checkpoint ?? Environment.string("LIGHTNING_CHECKPOINT"), size: size, seed: seed)
        logger.info("initial model: \(model.origin)", metadata: ["model.version": "\(model.version)"])
        let security = try CurveClientSecurity.keys(
            server: curveServerKey ?? Environment.string("LIGHTNING_CURVE_SERVER_KEY"),
            secret: curveSecretKey ?? Environment.string("LIGHTNING_CURVE_SECRET_KEY"))
        let client = try StoreClient(configuration: StoreClientConfiguration(endpoints: [store], security: security), logger: logger)
        defer { client.close() }

        var jobOnly = false
        if let task = task ?? Environment.string("LIGHTNING_TASK") {
            // Checked here, so that a typo fails at once rather than when the job starts.
            _ = try TrainingSettings.parse(JSONText(unchecked: config))
            if let jobID, let existing = try? await client.getJob(jobID: jobID, withMetrics: false).job {
                // Started again after a crash: the job is resumed from its checkpoint, not created twice.
                logger.info("resuming job", metadata: ["job.id": "\(existing.jobID)", "job.status": "\(existing.status)", "job.step": "\(existing.currentStep)"])
            } else {
                let job = try await client.createJob(JobSpec(jobID: jobID, algorithm: algorithm, config: JSONText(unchecked: config), dataset: task, totalSteps: steps))
                logger.info("created job", metadata: ["job.id": "\(job.jobID)", "job.task": "\(task)", "job.steps": "\(steps)"])
            }
            jobOnly = true
        }

        let engine = try GenerationEngine(weights: model.weights, version: model.version, configuration: .init(maxSequences: 64, threads: threads))
        let servedName = modelName ?? Environment.string("LIGHTNING_MODEL_NAME") ?? ModelHostConfiguration.defaultModelName(for: model.weights.config)
        var hostConfiguration = ModelHostConfiguration(host: host, port: port, apiKey: Environment.string("LIGHTNING_API_KEY"))
        hostConfiguration.modelName = servedName
        let recorder = StoreCallRecorder(store: client, logger: logger)
        let modelHost = ModelHost(engine: engine, configuration: hostConfiguration, recorder: recorder,
                                  metricsText: { registry.emitToString() }, logger: logger)
        var trainerConfiguration = TrainingService.Configuration()
        trainerConfiguration.owner = name
        trainerConfiguration.checkpointRoot = URL(fileURLWithPath: checkpointDir)
        trainerConfiguration.exitAfterJob = jobOnly
        trainerConfiguration.threads = threads
        let serving = ServingTarget(
            engine: engine, publicURL: publicURL ?? Environment.string("LIGHTNING_MODEL_PUBLIC_URL") ?? "http://127.0.0.1:\(port)",
            modelName: servedName, recorder: recorder)
        let trainer = TrainingService(store: client, serving: serving, initial: Checkpoint(weights: model.weights, version: model.version),
                                      configuration: trainerConfiguration, logger: logger)
        // Shutdown order is the reverse: the trainer stops first, then the host, then the recorder flushes.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: recorder), .init(service: modelHost), .init(service: trainer, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await engine.shutdown()
    }
}
