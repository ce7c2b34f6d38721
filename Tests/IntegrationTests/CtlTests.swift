import Foundation
import LightningAlgorithm
import LightningClient
import LightningCore
import Testing

/// The `lightning-ctl` executable against a real store: what it prints, as text and as JSON, and its
/// exit codes.
@Suite struct CtlTests {
    @Test("dataset, submit, rollouts and rollout: tasks go in as rollouts and come back with attempts, reward and the span tree")
    func submitAndInspect() async throws {
        try await withTestStore { store in
            let dataset = try await Ctl.run(["dataset", "calc", "--split", "validation", "--count", "3"])
            #expect(dataset.status == 0, "\(dataset.stderr)")
            #expect(dataset.lines.count == 3)
            for line in dataset.lines {
                #expect(try JSONText(unchecked: line).value()["question"]?.stringValue != nil)
            }

            let submitted = try await Ctl.run(["submit", "-", "--mode", "val", "--group", "g1"], store: store, input: dataset.stdout)
            #expect(submitted.status == 0, "\(submitted.stderr)")
            let ids = submitted.lines
            #expect(ids.count == 3 && ids.allSatisfy { $0.hasPrefix("ro-") })

            let listed = try await Ctl.run(["rollouts", "--mode", "val", "--json"], store: store).json()
            #expect(listed["total"]?.intValue == 3)
            #expect(Set(listed["rollouts"]?.arrayValue?.compactMap { $0["rollout_id"]?.stringValue } ?? []) == Set(ids))
            #expect(listed["rollouts"]?.arrayValue?.allSatisfy { $0["group_key"]?.stringValue == "g1" && $0["status"]?.stringValue == "queuing" } == true)
            #expect(try await Ctl.run(["rollouts", "--status", "succeeded"], store: store).stdout == "no rollouts\n")

            // A worker runs the first rollout: a parent span with a child, and a reward.
            let claimed = try #require(try await store.client.dequeueRollout(workerID: "w1", waitSeconds: 1))
            let parent = span(claimed, name: "agent.run", id: "00000000000000a1")
            var child = span(claimed, name: "execute_tool calculator", attributes: #"{"gen_ai.tool.name":"calculator"}"#, id: "00000000000000a2")
            child.parentSpanID = parent.spanID
            _ = try await store.client.addSpans([parent, child, rewardSpan(claimed, value: 1)])
            _ = try await store.client.updateAttempt(AttemptRef(claimed.attempt), status: .succeeded, error: nil)

            let shown = try await Ctl.run(["rollout", claimed.rollout.rolloutID], store: store)
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains("succeeded") && shown.stdout.contains(claimed.attempt.attemptID))
            let parentLine = try #require(shown.lines.first { $0.contains("agent.run") })
            let childLine = try #require(shown.lines.first { $0.contains("execute_tool calculator") })
            #expect(Self.indent(childLine) == Self.indent(parentLine) + 2, "the child is indented under its parent:\n\(shown.stdout)")
            #expect(childLine.contains("tool=calculator"))
            #expect(shown.lines.contains { $0.contains("lightning.reward") && $0.contains("reward=1") })

            let detail = try await Ctl.run(["rollout", claimed.rollout.rolloutID, "--json"], store: store).json()
            #expect(detail["rollout"]?["final_reward"]?.doubleValue == 1)
            #expect(detail["rollout"]?["input"]?["question"]?.stringValue != nil)
            #expect(detail["attempts"]?.arrayValue?.map { $0["status"]?.stringValue } == ["succeeded"])
            #expect(detail["spans"]?.arrayValue?.count == 3)

            let spans = try await Ctl.run(["spans", claimed.rollout.rolloutID, "--name", "lightning.reward", "--json"], store: store).json()
            #expect(spans.arrayValue?.map { $0["attributes"]?["lightning.reward.value"]?.doubleValue } == [1])
        }
    }

    @Test("submit refuses a line that is not a task object, naming the line, with exit code 2 and nothing enqueued")
    func submitRefusesBadInput() async throws {
        try await withTestStore { store in
            let result = try await Ctl.run(["submit", "-"], store: store, input: "{\"question\":\"1+1\"}\n[1, 2]\n")
            #expect(result.status == 2)
            #expect(result.stderr.contains("line 2"), "\(result.stderr)")
            #expect(try await store.client.queryRollouts(RolloutQuery()).total == 0)
            #expect(try await Ctl.run(["rollouts", "--mode", "sometimes"], store: store).status == 2)
        }
    }

    @Test("train creates a job that jobs and job show, metrics and reward curve included; bad settings are refused before anything is created")
    func trainAndInspect() async throws {
        try await withTestStore { store in
            let created = try await Ctl.run(
                ["train", "--task", "calc", "--steps", "3", "--group-size", "4", "--config", #"{"clip_ratio":0.3,"group_size":2}"#], store: store)
            #expect(created.status == 0, "\(created.stderr)")
            let jobID = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(jobID.hasPrefix("job-"))

            // The store options also work before the command, as global options.
            let jobs = try await Ctl.run(["--store", store.requestEndpoint, "--timeout=3", "jobs", "--json"]).json()
            let job = try #require(jobs.arrayValue?.first)
            #expect(jobs.arrayValue?.count == 1)
            #expect(job["job_id"]?.stringValue == jobID && job["status"]?.stringValue == "pending")
            #expect(job["dataset"]?.stringValue == "calc" && job["algorithm"]?.stringValue == "grpo" && job["total_steps"]?.intValue == 3)
            // The option wins over the same key in --config.
            #expect(job["config"]?["group_size"]?.intValue == 4 && job["config"]?["clip_ratio"]?.doubleValue == 0.3)

            // A trainer's progress.
            _ = try await store.client.claimJob(owner: "trainer")
            for (step, reward) in [0.1, 0.4, 0.8].enumerated() {
                try await store.client.recordJobMetrics(JobMetrics(jobID: jobID, step: step + 1, values: ["mean_reward": reward, "loss": 1 - reward]))
            }
            _ = try await store.client.updateJob(jobID: jobID, JobChanges(currentStep: 3))

            let detail = try await Ctl.run(["job", jobID, "--json"], store: store).json()
            #expect(detail["job"]?["status"]?.stringValue == "running" && detail["job"]?["current_step"]?.intValue == 3)
            #expect(detail["metrics"]?.arrayValue?.map { $0["values"]?["mean_reward"]?.doubleValue } == [0.1, 0.4, 0.8])

            let text = try await Ctl.run(["job", jobID], store: store)
            #expect(text.status == 0 && text.stdout.contains("3/3") && text.stdout.contains("MEAN_REWARD"))
            let chart = text.lines.filter { $0.contains("│") }
            #expect(chart.count == 8, "\(text.stdout)")
            #expect(chart.first?.hasPrefix("0.800") == true && chart.last?.hasPrefix("0.100") == true)
            #expect(chart.first?.hasSuffix("█") == true, "the highest reward fills the top row")

            let refused = try await Ctl.run(["train", "--config", #"{"grup_size":4}"#], store: store)
            #expect(refused.status == 2 && refused.stderr.contains("grup_size"), "\(refused.stderr)")
            #expect(try await Ctl.run(["train", "--task", "chess"], store: store).status == 2)
            let badTarget = try await Ctl.run(["train", "--model", "smollm2.gguf", "--lora-rank", "8", "--lora-targets", "q_proj,lm_head"], store: store)
            #expect(badTarget.status == 2 && badTarget.stderr.contains("'lm_head' does not exist"), "\(badTarget.stderr)")
            #expect(try await Ctl.run(["train", "--lora-rank", "0"], store: store).status == 2)
            #expect(try await store.client.listJobs(statuses: [], limit: 10).count == 1)
            // LoRA options land in the job's config beside the others.
            let lora = try await Ctl.run(["train", "--model", "smollm2.gguf", "--lora-rank", "8", "--lora-targets", "q_proj, v_proj", "--json"], store: store)
            #expect(lora.status == 0, "\(lora.stderr)")
            let stored = try await store.client.listJobs(statuses: [], limit: 10)
            let config = try #require(stored.first { $0.config.text.contains("lora") }?.config)
            let settings = try TrainingSettings.parse(config)
            #expect(settings.model == "smollm2.gguf" && settings.lora?.rank == 8 && settings.lora?.targetModules == ["q_proj", "v_proj"])
        }
    }

    @Test("watch follows a job to its end: exit 0 when it succeeds, 1 when it fails")
    func watch() async throws {
        try await withTestStore { store in
            let client = store.client
            #expect(try await Ctl.run(["watch"], store: store).status == 4, "nothing runs: nothing to watch")
            let good = try await client.createJob(JobSpec(algorithm: "grpo", dataset: "calc", totalSteps: 2))
            _ = try await client.claimJob(owner: "trainer")
            async let watched = Ctl.run(["watch", good.jobID, "--interval", "0.1"], store: store)
            for step in 1...2 {
                try await Task.sleep(for: .milliseconds(300))
                try await client.recordJobMetrics(JobMetrics(jobID: good.jobID, step: step, values: ["mean_reward": 0.5, "step_seconds": 2.5]))
                _ = try await client.updateJob(jobID: good.jobID, JobChanges(currentStep: step))
            }
            _ = try await client.updateJob(jobID: good.jobID, JobChanges(status: .succeeded))
            let result = try await watched
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.lines.last?.contains("2/2") == true && result.lines.last?.contains("succeeded") == true, "\(result.stdout)")
            #expect(result.stdout.contains("mean reward 0.500") && result.stdout.contains("step 2.5 s"))

            let bad = try await client.createJob(JobSpec(algorithm: "grpo", dataset: "calc", totalSteps: 2))
            _ = try await client.updateJob(jobID: bad.jobID, JobChanges(status: .failed, error: "runners gone"))
            let failed = try await Ctl.run(["watch", bad.jobID, "--json"], store: store)
            #expect(failed.status == 1)
            #expect(failed.stderr.contains("runners gone"))
            #expect(try failed.json()["status"]?.stringValue == "failed")
        }
    }

    @Test("export writes one transition per LLM call of the job's succeeded train rollouts, with the rollout's reward")
    func export() async throws {
        try await withTestStore { store in
            let client = store.client
            let job = try await client.createJob(JobSpec(algorithm: "grpo", dataset: "calc", totalSteps: 1))
            _ = try await client.enqueueRollouts([
                RolloutSubmission(jobID: job.jobID, input: JSONText(unchecked: #"{"question":"2+2"}"#), mode: .train, groupKey: "g"),
                RolloutSubmission(jobID: job.jobID, input: JSONText(unchecked: #"{"question":"3+3"}"#), mode: .train, groupKey: "g"),
            ])
            let call = #"""
                {"gen_ai.operation.name":"chat","lightning.prompt_token_ids":[1,2,3],"lightning.response_token_ids":[4,5],
                 "lightning.response_logprobs":[-0.5,-0.25],"lightning.agent_name":"calc","lightning.model_version":7}
                """#
            let done = try #require(try await client.dequeueRollout(workerID: "w", waitSeconds: 1))
            _ = try await client.addSpans([span(done, name: "chat lightning-s", attributes: call), rewardSpan(done, value: 0.75)])
            _ = try await client.updateAttempt(AttemptRef(done.attempt), status: .succeeded, error: nil)
            // The other rollout fails: it has no transitions to give.
            let lost = try #require(try await client.dequeueRollout(workerID: "w", waitSeconds: 1))
            _ = try await client.addSpans([span(lost, name: "chat lightning-s", attributes: call)])
            _ = try await client.updateRollout(rolloutID: lost.rollout.rolloutID, cancel: true, metadata: nil)

            let result = try await Ctl.run(["export", job.jobID], store: store)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.lines.count == 1)
            let line = try JSONText(unchecked: try #require(result.lines.first)).value()
            #expect(line["rollout_id"]?.stringValue == done.rollout.rolloutID && line["group_key"]?.stringValue == "g")
            #expect(line["prompt_token_ids"] == [1, 2, 3] && line["response_token_ids"] == [4, 5])
            #expect(line["response_logprobs"] == [-0.5, -0.25])
            #expect(line["reward"]?.doubleValue == 0.75 && line["model_version"]?.intValue == 7 && line["agent_name"]?.stringValue == "calc")
            #expect(result.stderr.contains("exported 1 transitions from 1 rollouts"))
        }
    }

    @Test("an id that does not exist gives exit code 4 and one line on stderr", arguments: [
        ["rollout", "ro-missing"], ["spans", "ro-missing"], ["job", "job-missing"], ["watch", "job-missing"], ["export", "job-missing"],
        ["resources", "rs-missing"],
    ])
    func notFound(arguments: [String]) async throws {
        try await withTestStore { store in
            let result = try await Ctl.run(arguments, store: store)
            #expect(result.status == 4, "\(result.stdout) \(result.stderr)")
            #expect(result.stderr.hasPrefix("lightning-ctl: ") && result.stderr.contains("missing"))
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stdout.isEmpty)
        }
    }

    @Test("an unreachable store gives exit code 3 within the timeout")
    func unreachable() async throws {
        // Nothing listens on port 1; ZeroMQ keeps trying to connect until the timeout.
        let result = try await Ctl.run(["jobs", "--store", "tcp://127.0.0.1:1"], environment: ["LIGHTNING_CTL_TIMEOUT": "1"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("no answer from the store at tcp://127.0.0.1:1"))
        #expect(result.seconds < 4, "gave up after \(result.seconds) s")
        let usage = try await Ctl.run(["jobs", "--store", "not-an-endpoint"])
        #expect(usage.status == 2, "\(usage.stderr)")
    }

    /// Leading spaces of a line.
    static func indent(_ line: String) -> Int {
        line.prefix { $0 == " " }.count
    }
}
