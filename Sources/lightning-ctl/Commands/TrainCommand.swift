import Foundation
import ArgumentParser
import LightningAlgorithm
import LightningCore
import LightningTasks

/// `lightning-ctl train`: creates a training job in the store; a `lightning-algorithm train` service
/// claims and runs it.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Create a training job in the store (run by lightning-algorithm train); prints the job id."
    )

    @OptionGroup var options: StoreOptions

    @Option(help: "The built-in task to train on: \(ExampleTasks.names.joined(separator: ", "))")
    var task = "calc"

    @Option(help: "The RL algorithm: grpo, or ppo (adds a value head and uses GAE)")
    var algorithm = "grpo"

    @Option(help: "RL steps")
    var steps = 40

    @Option(help: "Rollouts per task (GRPO group) [config group_size, default 8]")
    var groupSize: Int?

    @Option(help: "Distinct tasks per step [config tasks_per_step, default 16]")
    var tasksPerStep: Int?

    @Option(help: "AdamW learning rate of the RL updates [config learning_rate, default 2e-4]")
    var learningRate: Double?

    @Option(help: "Supervised warm-up steps before RL [config warmup_steps, default 0]")
    var warmupSteps: Int?

    @Option(help: "The model to train: the name or path of the open-weight model the trainer serves (lightning-algorithm train --model) [config model]")
    var model: String?

    @Option(help: "Train LoRA adapters of this rank instead of every weight (open-weight models) [config lora.rank]")
    var loraRank: Int?

    @Option(help: "LoRA alpha [config lora.alpha, default 32]")
    var loraAlpha: Double?

    @Option(help: "LoRA dropout [config lora.dropout, default 0]")
    var loraDropout: Double?

    @Option(help: "LoRA target modules, comma-separated among q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj [config lora.target_modules, default all]")
    var loraTargets: String?

    @Option(help: "The other training settings, a JSON object with the README's keys; the options above win")
    var config = "{}"

    @Option(help: "Id of the job (default: a new one)")
    var jobID: String?

    @Flag(help: "Print the created job as JSON")
    var json = false

    func run() async throws {
        let spec = try jobSpec()
        let job = try await options.withClient { try await $0.createJob(spec) }
        if json {
            try Output.json(job.json)
        } else {
            print(job.jobID)
        }
    }

    /// The job to create, checked here as the trainer will check it, so a typo fails now and not
    /// when the trainer claims the job.
    func jobSpec() throws -> JobSpec {
        guard ExampleTasks.named(task) != nil else {
            throw CtlFailure.usage("unknown task '\(task)'; built in: \(ExampleTasks.names.joined(separator: ", "))")
        }
        guard algorithm == "grpo" || algorithm == "ppo" else { throw CtlFailure.usage("algorithm '\(algorithm)' is not supported; use grpo or ppo") }
        guard steps >= 1 else { throw CtlFailure.usage("--steps must be at least 1") }
        guard case .object(var settings)? = try? JSONText(validating: config, field: "--config").value() else {
            throw CtlFailure.usage("--config must be a JSON object, such as '{\"clip_ratio\": 0.2}'")
        }
        if let groupSize { settings["group_size"] = .number(Double(groupSize)) }
        if let tasksPerStep { settings["tasks_per_step"] = .number(Double(tasksPerStep)) }
        if let learningRate { settings["learning_rate"] = .number(learningRate) }
        if let warmupSteps { settings["warmup_steps"] = .number(Double(warmupSteps)) }
        if let model { settings["model"] = .string(model) }
        if loraRank != nil || loraAlpha != nil || loraDropout != nil || loraTargets != nil {
            guard case .object(var lora) = settings["lora"] ?? .object([:]) else { throw CtlFailure.usage("config lora must be an object") }
            if let loraRank { lora["rank"] = .number(Double(loraRank)) }
            if let loraAlpha { lora["alpha"] = .number(loraAlpha) }
            if let loraDropout { lora["dropout"] = .number(loraDropout) }
            if let loraTargets {
                lora["target_modules"] = .array(loraTargets.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
            }
            settings["lora"] = .object(lora)
        }
        let merged = try JSONText(encoding: JSONValue.object(settings))
        do throws(LightningError) {
            _ = try TrainingSettings.parse(merged)
        } catch {
            throw CtlFailure.usage("training settings: \(error.message)")
        }
        return JobSpec(jobID: jobID, algorithm: algorithm, config: merged, dataset: task, totalSteps: steps)
    }
}
