import Foundation
import LightningAlgorithm
import LightningCore
import LightningFormats
import LightningModel
import LightningRunner
import LightningTasks
import Testing

/// Training the real SmolLM2 through the whole system: runner → model host → store → trainer, with
/// LoRA, as `lightning-algorithm train --model` runs it.
@Suite(.serialized) struct RealModelTrainingTests {
    static let settings = #"""
        {"tasks_per_step":2,"group_size":4,"learning_rate":0.002,"validation_tasks":2,"validation_every":0,
         "micro_batch_rows":4,"step_timeout_seconds":300,"lora":{"rank":4,"alpha":8,"target_modules":["q_proj","v_proj","down_proj"]}}
        """#

    @Test("a LoRA GRPO job on SmolLM2 trains on what was recorded and publishes each new version")
    func loraJobRunsEndToEnd() async throws {
        let path = try RealModelTests.modelPath
        let model = try OpenWeightModel.load(path: path)
        try await withTestStore { store in
            let checkpoints = temporaryDirectory("real-train")
            defer { try? FileManager.default.removeItem(at: checkpoints) }
            let job = try await store.client.createJob(JobSpec(algorithm: "grpo", config: JSONText(unchecked: Self.settings), dataset: "digits", totalSteps: 2))
            try await withRealTraining(store, model: model, path: path, checkpoints: checkpoints) { trainer, _ in
                try await trainer.run()
            }
            let detail = try await store.client.getJob(jobID: job.jobID, withMetrics: true)
            #expect(detail.job.status == .succeeded, "\(detail.job.error ?? "")")
            #expect(detail.job.modelVersion == 2)
            let steps = detail.metrics.filter { $0.step > 0 }.sorted { $0.step < $1.step }
            #expect(steps.map(\.step) == [1, 2])
            #expect(steps.contains { ($0.values["transitions"] ?? 0) > 0 }, "some group had different rewards")
            for step in steps {
                // Every rollout's call became a transition, unless its group had one reward for all (GRPO skips
                // those: no advantage); a step with transitions saw gradient.
                let transitions = step.values["transitions"] ?? 0, skipped = step.values["skipped_groups"] ?? 0
                #expect(step.values["rollouts_succeeded"] == 8 && transitions + 4 * skipped == 8, "\(step.values)")
                if transitions > 0 { #expect((step.values["grad_norm"] ?? 0) > 0 && (step.values["tokens_per_second"] ?? 0) > 0, "\(step.values)") }
                // Step n samples from the version published after step n − 1.
                #expect(step.values["staleness"] == 0 && step.values["model_version"] == Double(step.step))
            }
            #expect(detail.metrics.contains { $0.step == 0 && $0.values["val_mean_reward"] != nil })
            // The recorded calls of step 2 name the version they were sampled from.
            let rollouts = try await store.client.queryRollouts(RolloutQuery(jobID: job.jobID, mode: .train, limit: 100))
            let second = try #require(rollouts.rollouts.first { $0.rolloutID.contains(":s2:") })
            let spans = try await store.client.querySpans(SpanQuery(rolloutID: second.rolloutID))
            let versions = spans.compactMap { try? $0.attributes.value()["lightning.model_version"]?.intValue }
            #expect(!versions.isEmpty && versions.allSatisfy { $0 == 1 }, "\(versions)")
            // The update moved the adapters away from their zero start: the newest checkpoint's B matrices.
            let file = try SafetensorsFile(path: checkpoints.appendingPathComponent(job.jobID).appendingPathComponent("step-2.safetensors").path)
            let bNames = file.tensorNames.filter { $0.hasPrefix("base_model.") && $0.hasSuffix("lora_B.weight") }
            #expect(bNames.count == 30 * 3)
            #expect(try bNames.contains { try file.floats(named: $0).contains { $0 != 0 } })
            #expect(file.metadata["model_version"] == "2")
        }
    }

    @Test("a job naming another model or a LoRA target that does not exist fails at once with the reason")
    func impossibleJobsFailAtOnce() async throws {
        let path = try RealModelTests.modelPath
        let model = try OpenWeightModel.load(path: path)
        try await withTestStore { store in
            let checkpoints = temporaryDirectory("real-bad")
            defer { try? FileManager.default.removeItem(at: checkpoints) }
            let cases = [(#"{"model":"llama-3-8b.gguf"}"#, "asks for the model 'llama-3-8b.gguf'"),
                         (#"{"lora":{"target_modules":["lm_head"]}}"#, "'lm_head' does not exist"),
                         (#"{"lora":{"rank":1000}}"#, "larger than"),
                         (#"{"warmup_steps":10}"#, "warm-up")]
            for (config, reason) in cases {
                let job = try await store.client.createJob(JobSpec(algorithm: "grpo", config: JSONText(unchecked: config), dataset: "calc", totalSteps: 1))
                try await withRealTraining(store, model: model, path: path, checkpoints: checkpoints, runner: false) { trainer, _ in
                    try await trainer.run()
                }
                let detail = try await store.client.getJob(jobID: job.jobID, withMetrics: false)
                #expect(detail.job.status == .failed && (detail.job.error ?? "").contains(reason), "\(config): \(detail.job.error ?? "")")
            }
        }
    }
}

extension RealModelTrainingTests {
    @Test("a lightning-algorithm training SmolLM2's adapters, killed with kill -9 mid-job, resumes from its safetensors checkpoint and repeats nothing")
    func killedLoRATrainerResumes() async throws {
        let path = try RealModelTests.modelPath
        try await withTestStore { store in
            let checkpoints = temporaryDirectory("real-killed")
            defer { try? FileManager.default.removeItem(at: checkpoints) }
            let jobID = Identifier.make("job"), steps = 3
            let arguments = [
                "train", "--task", "digits", "--model", path, "--steps", "\(steps)", "--job-id", jobID, "--name", "killed-real-trainer",
                "--config", Self.settings, "--checkpoint-dir", checkpoints.path, "--host", "127.0.0.1", "--port", "\(try freePort())",
                "--threads", "2",
            ]
            try await withRunner(store, agent: DigitsAgent(), workers: 8) {
                let first = try ServiceProcess("lightning-algorithm", storeEndpoint: store.requestEndpoint, arguments: arguments)
                try await eventually(timeout: .seconds(300), "step 1 done") {
                    ((try? await store.client.getJob(jobID: jobID, withMetrics: false))?.job.currentStep ?? 0) >= 1
                }
                first.kill()
                #expect(await first.waitForExit())
                let second = try ServiceProcess("lightning-algorithm", storeEndpoint: store.requestEndpoint, arguments: arguments)
                try await eventually(timeout: .seconds(400), "the job ends") {
                    try await store.client.getJob(jobID: jobID, withMetrics: false).job.status.isTerminal
                }
                #expect(await second.waitForExit(), "it exits after its job")
                #expect(second.log.contains("resuming from checkpoint"), "\(second.log.suffix(2000))")
            }
            let detail = try await store.client.getJob(jobID: jobID, withMetrics: true)
            #expect(detail.job.status == .succeeded && detail.job.currentStep == steps, "\(detail.job.error ?? "")")
            #expect(detail.metrics.map(\.step).sorted() == Array(0...steps), "each step's metrics once")
            // What training read, the succeeded train rollouts, is what the steps counted, and no more than one batch each.
            let train = try await store.client.queryRollouts(RolloutQuery(statuses: [.succeeded], jobID: jobID, mode: .train, limit: 1))
            let counted = detail.metrics.compactMap { $0.values["rollouts_succeeded"] }.reduce(0, +)
            #expect(train.total <= steps * 2 * 4 && Double(train.total) == counted, "\(train.total) succeeded, the steps counted \(counted)")
            // The restarted process serves the restored adapters under their version: calls after the kill name the
            // version of the step before theirs.
            let rollouts = try await store.client.queryRollouts(RolloutQuery(statuses: [.succeeded], jobID: jobID, mode: .train, limit: 100))
            for step in 2...steps {
                for rollout in rollouts.rollouts where rollout.rolloutID.contains(":s\(step):") {
                    let spans = try await store.client.querySpans(SpanQuery(rolloutID: rollout.rolloutID))
                    let versions = spans.compactMap { try? $0.attributes.value()["lightning.model_version"]?.intValue }
                    #expect(!versions.isEmpty && versions.allSatisfy { $0 == step - 1 }, "\(rollout.rolloutID): \(versions)")
                }
            }
            // The optimizer state came back too: the last checkpoint counts one AdamW step per RL step that had a
            // gradient, those before the kill included (a fresh optimizer would have counted only the later ones).
            let updates = detail.metrics.filter { $0.step > 0 && ($0.values["transitions"] ?? 0) > 0 }.count
            let file = try SafetensorsFile(path: checkpoints.appendingPathComponent(jobID).appendingPathComponent("step-\(steps).safetensors").path)
            #expect(file.metadata["optimizer_step"] == "\(updates)" && file.metadata["model_version"] == "\(steps)", "\(file.metadata)")
        }
    }
}

/// A model host serving `model`, a runner with the digits agent, and a one-job trainer of `model`.
private func withRealTraining(
    _ store: TestStore, model: OpenWeightModel, path: String, checkpoints: URL, runner: Bool = true,
    _ body: @Sendable (TrainingService, TestModelHost) async throws -> Void
) async throws {
    let engine = try GenerationEngine(weights: model.weights, vocabulary: model.text.vocabulary, version: 0,
                                      configuration: .init(maxSequences: 8, threads: 2, cachePositions: 2048))
    try await withModelHost(store, engine: engine, text: model.text, modelName: model.name) { host in
        var configuration = TrainingService.Configuration()
        configuration.owner = "real-trainer"
        configuration.checkpointRoot = checkpoints
        configuration.exitAfterJob = true
        configuration.threads = 2
        let trainer = TrainingService(
            store: store.client,
            serving: ServingTarget(engine: host.engine, publicURL: host.root, modelName: model.name, recorder: host.recorder),
            initial: .openWeight(model, path: path), configuration: configuration, logger: testLogger)
        if runner {
            try await withRunner(store, agent: DigitsAgent(), workers: 8, configure: { $0.modelName = model.name }) {
                try await body(trainer, host)
            }
        } else {
            try await body(trainer, host)
        }
    }
}
