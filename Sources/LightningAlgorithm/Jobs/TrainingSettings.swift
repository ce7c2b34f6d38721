import Foundation
import LightningCore
import LightningModel

/// A training job's settings: the job's `config` JSON object (snake_case keys), every key optional with
/// the documented default. Unknown keys are refused, so a typo does not silently train with a default.
public struct TrainingSettings: Sendable, Hashable, Codable {
    /// Distinct tasks per step (16) and rollouts per task (8): one GRPO group per task.
    public var tasksPerStep = 16
    public var groupSize = 8
    /// AdamW learning rate of the RL updates (2e-4, for the small models here) and of the warm-up (1e-3).
    public var learningRate = 2e-4
    public var warmupLearningRate = 1e-3
    /// Supervised warm-up on the task's demonstrations before RL: steps (0: none) and batch size.
    public var warmupSteps = 0
    public var warmupBatch = 32
    /// PPO ratio clip (0.2), dual clip (3), KL to the frozen initial policy (0: off), entropy bonus (0).
    public var clipRatio = 0.2
    public var dualClip = 3.0
    public var klCoefficient = 0.0
    public var entropyCoefficient = 0.0
    /// Optimizer steps per RL step: rollouts per mini-batch (default: all of the step's rollouts) and
    /// passes over them (1).
    public var miniBatchRollouts: Int?
    public var epochs = 1
    /// Credit: discount toward earlier calls (1: every call gets the final reward) and the penalty a
    /// call gets for a tool span it caused that ended in error (0: off).
    public var discount = 1.0
    public var toolErrorPenalty = 0.0
    /// PPO's GAE discount and λ over a call's tokens (1, 1: the call's reward, minus the value).
    public var gaeGamma = 1.0
    public var gaeLambda = 1.0
    /// Only calls of these agents are trained (default: all).
    public var agents: [String]?
    /// Seconds a rollout may run (120) and a step may wait for its rollouts (600); a step goes on with
    /// the rollouts that finished when at least `min_finished_fraction` (0.5) of them did.
    public var rolloutTimeoutSeconds = 120.0
    /// Seconds without a heartbeat before a rollout's runner counts as gone and another runner retries it.
    public var unresponsiveSeconds = 30.0
    public var stepTimeoutSeconds = 600.0
    public var minFinishedFraction = 0.5
    /// Validation every N steps (5; 0: only before and after), on this many held-back tasks (64).
    public var validationEvery = 5
    public var validationTasks = 64
    /// Also measure validation at temperature 1 (false).
    public var validationSampled = false
    /// Seed of task order and mini-batch shuffling.
    public var seed: UInt64 = 0
    /// The model the job trains: the name or path of the model the trainer serves (checked when the
    /// job starts); nil trains whatever it serves.
    public var model: String?
    /// Train low-rank adapters over the frozen base (open-weight models) instead of every weight.
    public var lora: LoRASettings?
    /// Sequences per forward/backward pass (8); lower it to bound a long-context model's memory.
    public var microBatchRows = 8

    /// The `lora` object: rank (16), alpha (32), dropout (0) and target modules (all linear layers).
    public struct LoRASettings: Sendable, Hashable, Codable {
        public var rank = 16
        public var alpha = 32.0
        public var dropout = 0.0
        public var targetModules = LoRAConfiguration.Target.allCases.map(\.rawValue)

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case rank, alpha, dropout, targetModules = "target_modules"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = LoRASettings()
            rank = try container.decodeIfPresent(Int.self, forKey: .rank) ?? defaults.rank
            alpha = try container.decodeIfPresent(Double.self, forKey: .alpha) ?? defaults.alpha
            dropout = try container.decodeIfPresent(Double.self, forKey: .dropout) ?? defaults.dropout
            targetModules = try container.decodeIfPresent([String].self, forKey: .targetModules) ?? defaults.targetModules
        }

        /// The adapter configuration, or a message naming a target module that does not exist.
        public func configuration() throws(LightningError) -> LoRAConfiguration {
            var targets: [LoRAConfiguration.Target] = []
            for name in targetModules {
                guard let target = LoRAConfiguration.Target(name: name) else {
                    let known = LoRAConfiguration.Target.allCases.map(\.rawValue).joined(separator: ", ")
                    throw LightningError(.badRequest, "lora target module '\(name)' does not exist in a Llama-family block; use some of \(known)")
                }
                targets.append(target)
            }
            return LoRAConfiguration(rank: rank, alpha: alpha, dropout: dropout, targets: targets)
        }
    }

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case tasksPerStep = "tasks_per_step", groupSize = "group_size", learningRate = "learning_rate"
        case warmupLearningRate = "warmup_learning_rate", warmupSteps = "warmup_steps", warmupBatch = "warmup_batch"
        case clipRatio = "clip_ratio", dualClip = "dual_clip", klCoefficient = "kl_coefficient"
        case entropyCoefficient = "entropy_coefficient", miniBatchRollouts = "mini_batch_rollouts", epochs
        case discount, toolErrorPenalty = "tool_error_penalty", agents, gaeGamma = "gae_gamma", gaeLambda = "gae_lambda"
        case rolloutTimeoutSeconds = "rollout_timeout_seconds", stepTimeoutSeconds = "step_timeout_seconds"
        case unresponsiveSeconds = "unresponsive_seconds"
        case minFinishedFraction = "min_finished_fraction", validationEvery = "validation_every"
        case validationTasks = "validation_tasks", validationSampled = "validation_sampled", seed
        case model, lora, microBatchRows = "micro_batch_rows"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TrainingSettings()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        tasksPerStep = try value(.tasksPerStep, defaults.tasksPerStep)
        groupSize = try value(.groupSize, defaults.groupSize)
        learningRate = try value(.learningRate, defaults.learningRate)
        warmupLearningRate = try value(.warmupLearningRate, defaults.warmupLearningRate)
        warmupSteps = try value(.warmupSteps, defaults.warmupSteps)
        warmupBatch = try value(.warmupBatch, defaults.warmupBatch)
        clipRatio = try value(.clipRatio, defaults.clipRatio)
        dualClip = try value(.dualClip, defaults.dualClip)
        klCoefficient = try value(.klCoefficient, defaults.klCoefficient)
        entropyCoefficient = try value(.entropyCoefficient, defaults.entropyCoefficient)
        miniBatchRollouts = try container.decodeIfPresent(Int.self, forKey: .miniBatchRollouts)
        epochs = try value(.epochs, defaults.epochs)
        discount = try value(.discount, defaults.discount)
        toolErrorPenalty = try value(.toolErrorPenalty, defaults.toolErrorPenalty)
        agents = try container.decodeIfPresent([String].self, forKey: .agents)
        gaeGamma = try value(.gaeGamma, defaults.gaeGamma)
        gaeLambda = try value(.gaeLambda, defaults.gaeLambda)
        rolloutTimeoutSeconds = try value(.rolloutTimeoutSeconds, defaults.rolloutTimeoutSeconds)
        stepTimeoutSeconds = try value(.stepTimeoutSeconds, defaults.stepTimeoutSeconds)
        unresponsiveSeconds = try value(.unresponsiveSeconds, defaults.unresponsiveSeconds)
        minFinishedFraction = try value(.minFinishedFraction, defaults.minFinishedFraction)
        validationEvery = try value(.validationEvery, defaults.validationEvery)
        validationTasks = try value(.validationTasks, defaults.validationTasks)
        validationSampled = try value(.validationSampled, defaults.validationSampled)
        seed = try value(.seed, defaults.seed)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        lora = try container.decodeIfPresent(LoRASettings.self, forKey: .lora)
        microBatchRows = try value(.microBatchRows, defaults.microBatchRows)
    }

    /// Reads a job's `config`, refusing unknown keys and values out of range with a clear message.
    public static func parse(_ config: JSONText) throws(LightningError) -> TrainingSettings {
        let data = Data(config.text.utf8)
        let settings: TrainingSettings
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw LightningError(.badRequest, "the job's config must be a JSON object")
            }
            let known = Set(CodingKeys.allCases.map(\.rawValue))
            if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
                throw LightningError(.badRequest, "unknown training setting '\(unknown)'; known: \(known.sorted().joined(separator: ", "))")
            }
            if let lora = object["lora"] as? [String: Any] {
                let knownLoRA = Set(LoRASettings.CodingKeys.allCases.map(\.rawValue))
                if let unknown = lora.keys.sorted().first(where: { !knownLoRA.contains($0) }) {
                    throw LightningError(.badRequest, "unknown lora setting '\(unknown)'; known: \(knownLoRA.sorted().joined(separator: ", "))")
                }
            }
            settings = try JSONDecoder().decode(TrainingSettings.self, from: data)
        } catch let error as LightningError {
            throw error
        } catch {
            throw LightningError(.badRequest, "the job's config is not valid training settings: \(error)")
        }
        try settings.validate()
        return settings
    }

    func validate() throws(LightningError) {
        func check(_ ok: Bool, _ message: String) throws(LightningError) {
            if !ok { throw LightningError(.badRequest, message) }
        }
        try check((1...4096).contains(tasksPerStep), "tasks_per_step must be 1…4096")
        try check((1...256).contains(groupSize), "group_size must be 1…256")
        try check(learningRate > 0 && learningRate < 1 && warmupLearningRate > 0 && warmupLearningRate < 1, "learning rates must be in (0, 1)")
        try check(warmupSteps >= 0 && warmupBatch > 0, "warmup_steps must be ≥ 0 and warmup_batch > 0")
        try check(clipRatio > 0 && clipRatio < 1 && dualClip > 1 + clipRatio, "clip_ratio must be in (0, 1) and dual_clip above 1 + clip_ratio")
        try check(klCoefficient >= 0 && entropyCoefficient >= 0, "kl_coefficient and entropy_coefficient must be ≥ 0")
        try check(epochs >= 1 && (miniBatchRollouts ?? 1) >= 1, "epochs and mini_batch_rollouts must be ≥ 1")
        try check(discount > 0 && discount <= 1 && toolErrorPenalty >= 0, "discount must be in (0, 1] and tool_error_penalty ≥ 0")
        try check(gaeGamma > 0 && gaeGamma <= 1 && gaeLambda >= 0 && gaeLambda <= 1, "gae_gamma must be in (0, 1] and gae_lambda in [0, 1]")
        try check(rolloutTimeoutSeconds > 0 && stepTimeoutSeconds > 0 && unresponsiveSeconds > 0, "timeouts must be positive")
        try check(minFinishedFraction > 0 && minFinishedFraction <= 1, "min_finished_fraction must be in (0, 1]")
        try check(validationEvery >= 0 && validationTasks >= 0, "validation_every and validation_tasks must be ≥ 0")
        try check((1...1024).contains(microBatchRows), "micro_batch_rows must be 1…1024")
        if let lora {
            try check(lora.rank >= 1 && lora.alpha > 0 && lora.dropout >= 0 && lora.dropout < 1,
                      "lora needs rank ≥ 1, alpha > 0 and dropout in [0, 1)")
            _ = try lora.configuration()
        }
    }
}
