import Foundation
import LightningCore
import LightningModel
import LightningTasks
import Logging

/// The model a trainer process starts jobs from: the project's GPT (a checkpoint) or the open-weight
/// model it serves.
public enum InitialModel: Sendable {
    case gpt(Checkpoint)
    case openWeight(OpenWeightModel, path: String)
}

/// What a job trains, with what the job needs besides training: the weights to serve, checkpoints, and
/// how the built-in agents talk to it. `GPTJobModel` and `LlamaJobModel` are the two kinds.
protocol JobModel: AnyObject {
    var trainable: any TrainableModel { get }
    /// A frozen copy of the initial model for the KL penalty.
    func makeReference() throws -> any TrainableModel
    /// The current weights as the model host serves them.
    func servingWeights() throws -> any DecoderWeights
    /// Writes the checkpoint of `step`.
    func save(step: Int) throws
    /// Where the job's checkpoints (and step metrics) go.
    var checkpointDirectory: URL { get }
    /// How the built-in agents should prompt this model (published with the resources).
    var promptStyle: String { get }
    /// A demonstration as token rows, each call's prompt rendered as the model host renders it.
    func supervisedRows(_ demonstration: TaskDemonstration) throws -> [Demonstration]
}

extension InitialModel {
    /// The job's model: resumed from the job's newest checkpoint when it has one (its step is returned),
    /// else fresh from the initial model.
    func jobModel(
        job: Job, settings: TrainingSettings, checkpointRoot: URL, threads: Int, logger: Logger
    ) throws -> (model: any JobModel, resumedStep: Int?) {
        switch self {
        case .gpt(let checkpoint):
            guard settings.lora == nil else {
                throw LightningError(.badRequest, "lora needs an open-weight model; this trainer trains the project's GPT (start it with --model)")
            }
            if let wanted = settings.model {
                throw LightningError(.badRequest, "the job asks for the model '\(wanted)', but this trainer trains the project's GPT (start lightning-algorithm train with --model \(wanted))")
            }
            return try GPTJobModel.make(job: job, initial: checkpoint, checkpointRoot: checkpointRoot, threads: threads, logger: logger)
        case .openWeight(let model, let path):
            if let wanted = settings.model, !Self.names(model: model, path: path).contains(wanted) {
                throw LightningError(.badRequest, "the job asks for the model '\(wanted)', but this trainer serves \(model.name) (\(path)); start lightning-algorithm train with --model \(wanted)")
            }
            guard job.algorithm == "grpo" else {
                throw LightningError(.badRequest, "open-weight models train with grpo (\(job.algorithm) needs a value head they do not have)")
            }
            return try LlamaJobModel.make(job: job, model: model, settings: settings, checkpointRoot: checkpointRoot, threads: threads,
                                          logger: logger)
        }
    }

    /// The names a job may use for the served model: its name, its path and its file name.
    static func names(model: OpenWeightModel, path: String) -> Set<String> {
        let url = URL(fileURLWithPath: path)
        return [model.name, path, url.lastPathComponent, url.deletingPathExtension().lastPathComponent, url.standardizedFileURL.path]
    }
}

/// The project's byte-level GPT: `TrainingModel` with `.ckpt` checkpoints.
final class GPTJobModel: JobModel {
    let model: TrainingModel
    let initial: Checkpoint
    let checkpoints: JobCheckpoints

    let threads: Int

    init(model: TrainingModel, initial: Checkpoint, checkpoints: JobCheckpoints, threads: Int) {
        self.model = model
        self.initial = initial
        self.checkpoints = checkpoints
        self.threads = threads
    }

    static func make(job: Job, initial: Checkpoint, checkpointRoot: URL, threads: Int, logger: Logger) throws -> (model: any JobModel, resumedStep: Int?) {
        var initial = initial
        if job.algorithm == "ppo" {
            // PPO needs a critic: a value head on the policy's last hidden state, starting at zero.
            initial = Checkpoint(weights: try initial.weights.withValueHead(), version: initial.version)
        }
        let checkpoints = JobCheckpoints(root: checkpointRoot, jobID: job.jobID)
        let start = try checkpoints.latest()
        warnIfCheckpointMissing(job: job, found: start != nil, checkpoints: checkpoints, logger: logger)
        let model = TrainingModel(checkpoint: start?.checkpoint ?? initial, threads: threads)
        return (GPTJobModel(model: model, initial: initial, checkpoints: checkpoints, threads: threads), start?.step)
    }

    var trainable: any TrainableModel { model }
    func makeReference() throws -> any TrainableModel { TrainingModel(checkpoint: initial, threads: threads) }
    func servingWeights() throws -> any DecoderWeights { try model.snapshot().withoutValueHead() }
    func save(step: Int) throws { try checkpoints.save(model.checkpoint(), step: step) }
    var checkpointDirectory: URL { checkpoints.directory }
    var promptStyle: String { "plain" }

    /// Each call's prompt exactly as the model host renders it (`ByteLevelText.templateMessage`, then the
    /// chat template) and its reply ended by `<|eot|>`.
    func supervisedRows(_ demonstration: TaskDemonstration) throws -> [Demonstration] {
        demonstration.calls.map { call in
            Demonstration(
                promptTokenIDs: ChatTemplate.tokens(for: call.messages.map(ByteLevelText.templateMessage)),
                responseTokenIDs: ByteTokenizer().encode(call.reply) + [ByteTokenizer.Special.endOfTurn.rawValue])
        }
    }
}

/// An open-weight Llama-family model: `LlamaTrainingModel` (full or LoRA) with safetensors checkpoints.
final class LlamaJobModel: JobModel {
    let model: LlamaTrainingModel
    let open: OpenWeightModel
    let checkpoints: JobCheckpoints

    let threads: Int

    init(model: LlamaTrainingModel, open: OpenWeightModel, checkpoints: JobCheckpoints, threads: Int) {
        self.model = model
        self.open = open
        self.checkpoints = checkpoints
        self.threads = threads
    }

    static func make(
        job: Job, model open: OpenWeightModel, settings: TrainingSettings, checkpointRoot: URL, threads: Int, logger: Logger
    ) throws -> (model: any JobModel, resumedStep: Int?) {
        guard settings.warmupSteps == 0 else {
            throw LightningError(.badRequest, "warmup_steps: a supervised warm-up is available for the project's GPT only; an instruct model starts from its own chat skills")
        }
        let lora = try settings.lora?.configuration()
        let model: LlamaTrainingModel
        do {
            model = try LlamaTrainingModel(weights: open.weights, lora: lora, seed: settings.seed, threads: threads)
        } catch {
            throw LightningError(.badRequest, "cannot train \(open.name): \(error.message)")
        }
        let checkpoints = JobCheckpoints(root: checkpointRoot, jobID: job.jobID, fileExtension: "safetensors")
        let start = checkpoints.latestFile()
        warnIfCheckpointMissing(job: job, found: start != nil, checkpoints: checkpoints, logger: logger)
        if let start {
            do {
                try model.restoreCheckpoint(from: start.url.path)
            } catch {
                throw LightningError(.internal, "cannot resume from \(start.url.path): \(error)")
            }
        }
        return (LlamaJobModel(model: model, open: open, checkpoints: checkpoints, threads: threads), start?.step)
    }

    var trainable: any TrainableModel { model }

    func makeReference() throws -> any TrainableModel {
        try LlamaTrainingModel(weights: open.weights, threads: threads)
    }

    func servingWeights() throws -> any DecoderWeights { try model.snapshot() }
    func save(step: Int) throws { try checkpoints.save(step: step) { try model.saveCheckpoint(to: $0.path) } }
    var checkpointDirectory: URL { checkpoints.directory }
    var promptStyle: String { "chat" }

    func supervisedRows(_ demonstration: TaskDemonstration) throws -> [Demonstration] {
        throw LightningError(.badRequest, "supervised warm-up is not available for open-weight models")
    }
}

private func warnIfCheckpointMissing(job: Job, found: Bool, checkpoints: JobCheckpoints, logger: Logger) {
    if !found, job.currentStep > 0 {
        logger.warning("the job has no checkpoint here; starting it over from the initial model",
                       metadata: ["job.id": "\(job.jobID)", "job.step": "\(job.currentStep)", "job.checkpoints": "\(checkpoints.directory.path)"])
    }
}
