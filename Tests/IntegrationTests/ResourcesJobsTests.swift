import Foundation
import LightningClient
import LightningCore
import Testing

@Suite struct ResourcesJobsTests {
    @Test("resources versions increase; latest and by-id lookups; resending the same id is a no-op")
    func resources() async throws {
        try await withTestStore { store in
            let client = store.client
            #expect(try await client.getLatestResources() == nil)
            let llm = JSONText(unchecked: #"{"endpoint":"http://m:8000/v1","model":"gpt","weights_version":1}"#)
            let first = try await client.addResources(["llm": llm], resourcesID: "rs-one")
            let second = try await client.addResources(["llm": llm, "prompt_template": JSONText(unchecked: #"{"template":"Q: {q}"}"#)], resourcesID: nil)
            #expect(second.version > first.version)
            #expect(try await client.getLatestResources()?.resourcesID == second.resourcesID)
            #expect(try await client.getResources(resourcesID: "rs-one").entries.keys.sorted() == ["llm"])
            #expect(try await client.addResources(["llm": llm], resourcesID: "rs-one").version == first.version)
            await expectError(.conflict) {
                try await client.addResources(["llm": JSONText(unchecked: #"{"model":"other"}"#)], resourcesID: "rs-one")
            }
            await expectError(.notFound) { try await client.getResources(resourcesID: "rs-none") }
            await expectError(.badRequest) { try await client.addResources([:], resourcesID: nil) }
        }
    }

    @Test("jobs are created, updated, claimed, and keep per-step metrics")
    func jobs() async throws {
        try await withTestStore { store in
            let client = store.client
            let job = try await client.createJob(JobSpec(
                jobID: "job-calc", algorithm: "grpo", config: JSONText(unchecked: #"{"group_size":8}"#), dataset: "calc", totalSteps: 3
            ))
            #expect(job.status == .pending)
            #expect(try await client.createJob(JobSpec(jobID: "job-calc", algorithm: "grpo", dataset: "calc", totalSteps: 3)).jobID == "job-calc")
            await expectError(.conflict) { try await client.createJob(JobSpec(jobID: "job-calc", algorithm: "ppo", dataset: "calc", totalSteps: 3)) }

            let claimed = try #require(try await client.claimJob(owner: "algo-1"))
            #expect(claimed.jobID == "job-calc" && claimed.status == .running && claimed.owner == "algo-1")
            #expect(try await client.claimJob(owner: "algo-2") == nil)
            #expect(try await client.claimJob(owner: "algo-1")?.jobID == "job-calc")

            try await client.recordJobMetrics(JobMetrics(jobID: "job-calc", step: 1, values: ["mean_reward": 0.2]))
            try await client.recordJobMetrics(JobMetrics(jobID: "job-calc", step: 2, values: ["mean_reward": 0.5]))
            try await client.recordJobMetrics(JobMetrics(jobID: "job-calc", step: 2, values: ["mean_reward": 0.6, "loss": 1.5]))
            await expectError(.notFound) { try await client.recordJobMetrics(JobMetrics(jobID: "job-none", step: 1, values: [:])) }

            let updated = try await client.updateJob(jobID: "job-calc", JobChanges(currentStep: 2, modelVersion: 2))
            #expect(updated.currentStep == 2 && updated.modelVersion == 2 && updated.owner == "algo-1")
            let detail = try await client.getJob(jobID: "job-calc", withMetrics: true)
            #expect(detail.metrics.map(\.step) == [1, 2])
            #expect(detail.metrics[1].values == ["mean_reward": 0.6, "loss": 1.5])

            _ = try await client.updateJob(jobID: "job-calc", JobChanges(status: .succeeded))
            await expectError(.invalidTransition) { try await client.updateJob(jobID: "job-calc", JobChanges(currentStep: 3)) }
            #expect(try await client.listJobs(statuses: [.succeeded], limit: 10).map(\.jobID) == ["job-calc"])
            #expect(try await client.listJobs(statuses: [.pending], limit: 10).isEmpty)
            await expectError(.notFound) { try await client.getJob(jobID: "job-none", withMetrics: false) }
        }
    }

    @Test("statistics count what the store holds; ping reports the protocol")
    func statistics() async throws {
        try await withTestStore { store in
            let client = store.client
            _ = try await client.enqueueRollouts([submission(), submission(), submission()])
            let claimed = try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            _ = try await client.addSpans([span(claimed), span(claimed)])
            let statistics = try await client.statistics()
            #expect(statistics.rolloutsByStatus == ["queuing": 2, "running": 1])
            #expect(statistics.attemptsByStatus == ["running": 1])
            #expect(statistics.spans == 2)
            #expect(statistics.workersByStatus == ["busy": 1])
            #expect(try await client.ping().protocolVersion == 1)
        }
    }

    @Test("events announce rollouts, resources and jobs to subscribers")
    func events() async throws {
        try await withTestStore { store in
            let client = store.client
            let events = try client.events(topics: ["rollout", "resources"])
            defer { events.stop() }
            // A SUB socket needs a moment to connect before the first event (ZeroMQ's slow joiner).
            try await Task.sleep(for: .milliseconds(300))
            let rollout = try await client.enqueueRollouts([submission()])[0]
            _ = try await client.addResources(["llm": JSONText(unchecked: #"{"model":"m"}"#)], resourcesID: nil)
            _ = try await client.createJob(JobSpec(algorithm: "grpo", dataset: "calc", totalSteps: 1))
            var seen: [StoreEvent] = []
            for await event in events {
                seen.append(event)
                if case .resources = event { break }
            }
            #expect(seen.first == .rollout(RolloutChange(rolloutID: rollout.rolloutID, jobID: nil, status: .queuing, finalReward: nil, mode: .train)))
            #expect(!seen.contains { if case .job = $0 { true } else { false } })
        }
    }
}
