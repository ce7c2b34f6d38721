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

    @Option(help: "Create and run this job: a built-in task (calc, sql, search, digits) [env: LIGHTNING_TASK]; without it, run jobs from the store")
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

    @OptionGroup var model: ModelHostOptions

    @Option(help: "Directory of the checkpoints [env: LIGHTNING_CHECKPOINT_DIR]")
    var checkpointDir = Environment.string("LIGHTNING_CHECKPOINT_DIR", default: ".lightning/checkpoints")

    @Option(help: "The model host's URL as runners reach it [env: LIGHTNING_MODEL_PUBLIC_URL] (default http://127.0.0.1:<port>)")
    var publicURL: String?

    func run() async throws {
        let options = self.model
        ServiceSetup.bootstrapLogging(level: options.logLevel)
        let registry = ServiceSetup.bootstrapMetrics()
        let logger = Logger(label: "lightning-algorithm")
        // The model to serve and train: an open-weight model (--model) or the project's GPT.
        let engine: GenerationEngine, hostConfiguration: ModelHostConfiguration, text: any ModelText, initial: InitialModel
        if let path = options.model ?? Environment.string("LIGHTNING_MODEL"), let open = try options.loadOpenWeightModel() {
            logger.info("initial model: \(open.origin)", metadata: ["model.name": "\(open.name)"])
            engine = try options.engine(for: open)
            hostConfiguration = options.hostConfiguration(for: open)
            text = open.text
            initial = .openWeight(open, path: path)
        } else {
            let model = try options.loadModel()
            logger.info("initial model: \(model.origin)", metadata: ["model.version": "\(model.version)"])
            engine = try options.engine(for: model)
            hostConfiguration = options.hostConfiguration(for: model)
            text = ByteLevelText()
            initial = .gpt(Checkpoint(weights: model.weights, version: model.version))
        }
        let client = try StoreClient(configuration: StoreClientConfiguration(endpoints: [store], security: try options.storeSecurity()), logger: logger)
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

        let recorder = StoreCallRecorder(store: client, logger: logger)
        let modelHost = ModelHost(engine: engine, configuration: hostConfiguration, text: text, recorder: recorder,
                                  metricsText: { registry.emitToString() }, logger: logger)
        var trainerConfiguration = TrainingService.Configuration()
        trainerConfiguration.owner = name
        trainerConfiguration.checkpointRoot = URL(fileURLWithPath: checkpointDir)
        trainerConfiguration.exitAfterJob = jobOnly
        trainerConfiguration.threads = options.threads
        let serving = ServingTarget(
            engine: engine, publicURL: publicURL ?? Environment.string("LIGHTNING_MODEL_PUBLIC_URL") ?? "http://127.0.0.1:\(options.port)",
            modelName: hostConfiguration.modelName, recorder: recorder)
        let trainer = TrainingService(store: client, serving: serving, initial: initial,
                                      configuration: trainerConfiguration, logger: logger)
        // Shutdown order is the reverse: the trainer stops first, then the host, then the recorder flushes.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: recorder), .init(service: modelHost), .init(service: trainer, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await engine.shutdown()
    }
}
