import Foundation
import LightningCore
import LightningModel
import LightningTasks
import Logging

/// Where a job's model is served: the trainer publishes each new version here (the host switches
/// between requests) and names it in the resources runners read.
public struct ServingTarget: Sendable {
    public let engine: GenerationEngine
    /// The model host's URL as runners reach it (`http://algorithm:8000`).
    public let publicURL: String
    public let modelName: String
    /// The host's recorder: a step's spans are read once the calls it recorded are stored.
    public let recorder: StoreCallRecorder?

    public init(engine: GenerationEngine, publicURL: String, modelName: String, recorder: StoreCallRecorder?) {
        self.engine = engine
        self.publicURL = publicURL
        self.modelName = modelName
        self.recorder = recorder
    }
}

/// Runs one training job to its end: warm-up, then per step: publish the weights, run the step's
/// rollouts through the runners, build transitions, update the model, checkpoint, record metrics.
/// A step is done once its checkpoint is written; a restarted trainer resumes after the newest
/// checkpoint and re-enqueues the next step under the same rollout ids, so nothing is counted twice.
public final class TrainingJob {
    let job: Job
    let settings: TrainingSettings
    let task: any ExampleTask
    let store: any LightningStoreAPI
    let serving: ServingTarget
    let model: any JobModel
    let logger: Logger
    let trainer: PolicyTrainer
    let batch: RolloutBatch
    /// The version of the weights before the first step (the initial model's).
    private var baseVersion: Int

    /// - Parameters:
    ///   - initial: the model to start from when the job has no checkpoint yet.
    public init(
        job: Job, store: any LightningStoreAPI, serving: ServingTarget, checkpointRoot: URL, initial: InitialModel,
        threads: Int = ComputeThreads.defaultWorkers, logger: Logger
    ) throws {
        guard let task = ExampleTasks.named(job.dataset) else {
            throw LightningError(.badRequest, "unknown task '\(job.dataset)'; built in: \(ExampleTasks.names.joined(separator: ", "))")
        }
        guard job.algorithm == "grpo" || job.algorithm == "ppo" else {
            throw LightningError(.badRequest, "unknown algorithm '\(job.algorithm)'; use grpo or ppo")
        }
        let settings = try TrainingSettings.parse(job.config)
        self.job = job
        self.settings = settings
        self.task = task
        self.store = store
        self.serving = serving
        self.logger = logger
        batch = RolloutBatch(store: store, logger: logger)
        let (model, resumed) = try initial.jobModel(job: job, settings: settings, checkpointRoot: checkpointRoot, threads: threads,
                                                    logger: logger)
        self.model = model
        let loss = PolicyLoss(clipRatio: settings.clipRatio, dualClip: settings.dualClip, klCoefficient: settings.klCoefficient,
                              entropyCoefficient: settings.entropyCoefficient)
        let reference = settings.klCoefficient > 0 ? try model.makeReference() : nil
        trainer = try PolicyTrainer(model: model.trainable, reference: reference, configuration: PolicyTrainerConfiguration(
            learningRate: Float(settings.learningRate), loss: loss,
            miniBatchRollouts: settings.miniBatchRollouts ?? settings.tasksPerStep * settings.groupSize,
            microBatchRows: settings.microBatchRows, epochs: settings.epochs, seed: settings.seed))
        resumeStep = resumed
        baseVersion = model.trainable.version - (resumed ?? 0)
    }

    /// The step of the checkpoint the job resumed from, if any.
    private let resumeStep: Int?
    /// The version the model host serves, once this job has loaded one.
    private var servedVersion: Int?

    /// Runs the job's remaining steps; returns when it is done. Throws when it cannot go on (the
    /// caller marks the job failed); a cancelled task stops between store calls.
    public func run() async throws {
        var step = resumeStep ?? -1
        if let resumed = resumeStep {
            logger.info("resuming from checkpoint", metadata: ["job.id": "\(job.jobID)", "job.step": "\(resumed)"])
            try await completeBookkeeping(step: resumed)
        } else {
            try await warmUp()
            step = 0
        }
        while step < job.totalSteps {
            try Task.checkCancellation()
            step += 1
            try await train(step: step)
        }
        _ = try await store.updateJob(jobID: job.jobID, JobChanges(status: .succeeded, currentStep: step, modelVersion: Int64(version(after: step))))
        logger.info("job finished", metadata: ["job.id": "\(job.jobID)", "job.steps": "\(step)"])
    }

    private func version(after step: Int) -> Int { baseVersion + max(step, 0) }

    // MARK: Steps

    /// Supervised warm-up on the task's demonstrations, then validation before RL; saved as step 0.
    private func warmUp() async throws {
        var metrics: [String: Double] = [:]
        if settings.warmupSteps > 0 {
            let demonstrations = try task.demonstrations(count: settings.warmupSteps * settings.warmupBatch, seed: settings.seed)
                .flatMap { try model.supervisedRows($0) }
            let perStep = max(1, demonstrations.count / settings.warmupSteps)
            var last = SupervisedStatistics()
            let started = ContinuousClock.now
            for index in 0..<settings.warmupSteps {
                let rows = Array(demonstrations[(index * perStep)..<min((index + 1) * perStep, demonstrations.count)])
                last = try trainer.supervisedStep(rows, learningRate: Float(settings.warmupLearningRate))
                if index % 20 == 0 || index == settings.warmupSteps - 1 {
                    logger.info("warm-up", metadata: ["job.warmup_step": "\(index + 1)", "job.loss": "\(last.loss)"])
                }
            }
            metrics["warmup_loss"] = last.loss
            metrics["warmup_seconds"] = (ContinuousClock.now - started).seconds
        }
        trainer.model.version = version(after: 0)
        try await publish(step: 0)
        metrics.merge(try await validate(step: 0)) { $1 }
        try save(step: 0, metrics: metrics)
        try await completeBookkeeping(step: 0)
    }

    private func train(step: Int) async throws {
        let started = ContinuousClock.now
        try await publish(step: step - 1)
        let published = ContinuousClock.now
        let examples = task.examples(.train, count: settings.tasksPerStep, offset: (step - 1) * settings.tasksPerStep)
        let submissions = examples.enumerated().flatMap { index, example in
            (0..<settings.groupSize).map { member in
                RolloutSubmission(
                    rolloutID: "\(job.jobID):s\(step):\(index):\(member)", jobID: job.jobID, input: example.input, mode: .train,
                    groupKey: "\(job.jobID):s\(step):\(index)", resourcesID: resourcesID(step: step - 1), config: rolloutConfig)
            }
        }
        let ended = try await batch.run(submissions, timeout: .seconds(settings.stepTimeoutSeconds))
        let sampled = ContinuousClock.now
        let succeeded = ended.filter { $0.status == .succeeded }
        guard Double(succeeded.count) >= settings.minFinishedFraction * Double(submissions.count) else {
            // Not retryable: the step's unfinished rollouts are cancelled, so running it again cannot do better.
            throw LightningError(.internal, "step \(step): only \(succeeded.count) of \(submissions.count) rollouts succeeded in time; are runners up?")
        }
        if let recorder = serving.recorder, !(await recorder.stored(within: .seconds(30))) {
            logger.warning("recorded calls are not all stored yet; training on what is", metadata: ["job.step": "\(step)"])
        }
        let traces = try await batch.traces(succeeded)
        let report = try transitions(traces)
        let current = version(after: step - 1)
        let trainStarted = ContinuousClock.now
        let statistics = report.transitions.isEmpty ? TrainingStatistics() : try trainer.train(report.transitions)
        let trainSeconds = (ContinuousClock.now - trainStarted).seconds
        // Where the step's time went: publishing the last update's weights, sampling the rollouts, reading
        // their recorded calls back as transitions, training; validation is timed below.
        let breakdown = ["publish_seconds": (published - started).seconds, "rollout_seconds": (sampled - published).seconds,
                         "recording_seconds": (trainStarted - sampled).seconds, "train_seconds": trainSeconds]
        trainer.model.version = version(after: step)

        let rewards = succeeded.compactMap(\.finalReward)
        let versions = report.transitions.flatMap { $0.segments.compactMap(\.modelVersion) }
        var metrics: [String: Double] = [
            "mean_reward": rewards.mean, "success_rate": rewards.map { $0 >= 1 - 1e-9 ? 1.0 : 0.0 }.mean,
            "rollouts": Double(submissions.count), "rollouts_succeeded": Double(succeeded.count),
            "transitions": Double(report.transitions.count), "skipped_groups": Double(report.skippedGroups.count),
            "loss": statistics.loss, "policy_loss": statistics.policyLoss, "kl": statistics.kl, "entropy": statistics.entropy,
            "clip_fraction": statistics.clipFraction, "approx_kl": statistics.approxKL, "grad_norm": statistics.gradNorm,
            "tokens_per_second": trainSeconds > 0 ? Double(statistics.tokens) / trainSeconds : 0,
            "staleness": versions.map { Double(current - $0) }.mean,
            "model_version": Double(version(after: step)),
        ].merging(breakdown) { $1 }
        if settings.validationEvery > 0 && step % settings.validationEvery == 0 || step == job.totalSteps {
            // This step's weights are published here, not at the start of the next step: their time counts here.
            let publishStarted = ContinuousClock.now
            try await publish(step: step)
            let validationStarted = ContinuousClock.now
            metrics["publish_seconds", default: 0] += (validationStarted - publishStarted).seconds
            metrics.merge(try await validate(step: step)) { $1 }
            metrics["validation_seconds"] = (ContinuousClock.now - validationStarted).seconds
        }
        metrics["step_seconds"] = (ContinuousClock.now - started).seconds
        try save(step: step, metrics: metrics)
        try await completeBookkeeping(step: step)
        logger.info("step done", metadata: [
            "job.id": "\(job.jobID)", "job.step": "\(step)", "job.mean_reward": "\(metrics["mean_reward"] ?? 0)",
            "job.val_success": "\(metrics["val_success_rate"].map { "\($0)" } ?? "-")", "job.seconds": "\(metrics["step_seconds"] ?? 0)",
        ])
    }

    /// Validation rollouts on held-back tasks (greedy, and at temperature 1 when asked for).
    private func validate(step: Int) async throws -> [String: Double] {
        guard settings.validationTasks > 0 else { return [:] }
        var metrics: [String: Double] = [:]
        let examples = task.examples(.validation, count: settings.validationTasks)
        let variants: [(key: String, temperature: Double?)] = settings.validationSampled ? [("val", nil), ("val_t1", 1.0)] : [("val", nil)]
        for (key, temperature) in variants {
            let submissions = examples.enumerated().map { index, example in
                RolloutSubmission(
                    rolloutID: "\(job.jobID):\(key)\(step):\(index)", jobID: job.jobID, input: Self.input(example.input, temperature: temperature),
                    mode: .val, resourcesID: resourcesID(step: step), config: rolloutConfig)
            }
            let ended = try await batch.run(submissions, timeout: .seconds(settings.stepTimeoutSeconds))
            let rewards = ended.map { $0.status == .succeeded ? $0.finalReward ?? 0 : 0 }
            metrics["\(key)_mean_reward"] = rewards.mean
            metrics["\(key)_success_rate"] = rewards.map { $0 >= 1 - 1e-9 ? 1.0 : 0.0 }.mean
        }
        logger.info("validation", metadata: ["job.step": "\(step)", "job.metrics": "\(metrics)"])
        return metrics
    }

    // MARK: Publishing and bookkeeping

    private func resourcesID(step: Int) -> String { "\(job.jobID):v\(version(after: step))" }

    /// Serves the weights after `step` and names them in the resources runners read.
    private func publish(step: Int) async throws {
        let version = version(after: step)
        if servedVersion != version {
            try serving.engine.load(weights: model.servingWeights(), version: version)
            servedVersion = version
        }
        let llm = #"{"endpoint":"\#(serving.publicURL)","model":"\#(serving.modelName)","weights_version":\#(version),"prompt_style":"\#(model.promptStyle)"}"#
        _ = try await store.addResources(["llm": JSONText(unchecked: llm)], resourcesID: resourcesID(step: step))
    }

    /// The metrics travel with the checkpoint, so a trainer that dies between the two still records them.
    private func save(step: Int, metrics: [String: Double]) throws {
        let data = try JSONEncoder().encode(metrics)
        try FileManager.default.createDirectory(at: model.checkpointDirectory, withIntermediateDirectories: true)
        try data.write(to: metricsURL(step: step), options: .atomic)
        try model.save(step: step)
    }

    private func completeBookkeeping(step: Int) async throws {
        if let data = try? Data(contentsOf: metricsURL(step: step)), let metrics = try? JSONDecoder().decode([String: Double].self, from: data) {
            try await store.recordJobMetrics(JobMetrics(jobID: job.jobID, step: step, values: metrics))
        }
        _ = try await store.updateJob(jobID: job.jobID, JobChanges(currentStep: step, modelVersion: Int64(version(after: step))))
    }

    private func metricsURL(step: Int) -> URL {
        model.checkpointDirectory.appendingPathComponent("step-\(step).metrics.json")
    }

    // MARK: Pieces

    /// GRPO: group-normalised advantages. PPO: advantages and returns by GAE over the critic's values.
    private func transitions(_ traces: [RolloutTrace]) throws -> TransitionReport {
        guard job.algorithm == "ppo" else { return pipeline.grpoTransitions(traces) }
        var report = pipeline.ppoTransitions(traces)
        let values = try trainer.values(for: report.transitions)
        GAE(gamma: settings.gaeGamma, lambda: settings.gaeLambda).apply(to: &report.transitions, values: values)
        return report
    }

    private var rolloutConfig: RolloutConfig {
        RolloutConfig(timeoutSeconds: settings.rolloutTimeoutSeconds, unresponsiveSeconds: settings.unresponsiveSeconds, maxAttempts: 2)
    }

    private var pipeline: TransitionPipeline {
        let rules = settings.toolErrorPenalty > 0 ? [IntermediateRewardRule.toolError(penalty: settings.toolErrorPenalty)] : []
        return TransitionPipeline(
            extractor: TransitionExtractor(agentNames: settings.agents.map(Set.init)),
            credit: CreditAssignment(discount: settings.discount, rules: rules))
    }

    /// The task input with a sampling temperature added (validation at temperature 1).
    static func input(_ input: JSONText, temperature: Double?) -> JSONText {
        guard let temperature, input.text.hasPrefix("{") else { return input }
        let rest = input.text.dropFirst().trimmingCharacters(in: .whitespaces)
        return JSONText(unchecked: "{\"temperature\":\(temperature)" + (rest.hasPrefix("}") ? "" : ",") + rest)
    }
}

extension [Double] {
    var mean: Double { isEmpty ? 0 : reduce(0, +) / Double(count) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
