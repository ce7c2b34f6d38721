import Foundation
import LightningClient
import LightningCore
import LightningWire
import Testing

/// The whole system as separate processes (PostgreSQL, lightning-store, lightning-algorithm training a
/// job, lightning-runner) with a fault injected mid-job. The job must finish with every step's batch
/// trained once and nothing lost or duplicated, the services reconnecting by themselves.
/// (kill -9 of lightning-algorithm is AlgorithmRestartTests.)
@Suite struct SystemFaultTests {
    enum Fault: String, CustomStringConvertible, CaseIterable {
        case storeKilled = "kill -9 and restart of lightning-store"
        case postgresRestarted = "a PostgreSQL restart"
        var description: String { rawValue }
    }

    static let steps = 5

    @Test("a training job survives a fault mid-job with no lost or duplicated rollout, span or reward", arguments: Fault.allCases)
    func jobSurvives(_ fault: Fault) async throws {
        let postgres = PrivatePostgres()
        try await postgres.start()
        let port = try restartablePort(consecutive: 2)
        let name = Identifier.make("sys")
        var store = try StoreProcess(databaseURL: postgres.url, name: name, tcpPort: port)
        let context = try ZMQContext()
        let client = try StoreClient(
            configuration: StoreClientConfiguration(endpoints: [store.requestEndpoint], requestTimeout: .seconds(5), retry: RetryPolicy(budget: .seconds(60))),
            context: context
        )
        defer { client.close() }
        let checkpoints = temporaryDirectory("system")
        let jobID = Identifier.make("job")
        var algorithm: ServiceProcess?
        var runner: ServiceProcess?
        do {
            runner = try ServiceProcess(
                "lightning-runner", storeEndpoint: store.requestEndpoint,
                arguments: ["--agent", "digits", "--workers", "8", "--heartbeat-interval", "0.5"])
            algorithm = try ServiceProcess(
                "lightning-algorithm", storeEndpoint: store.requestEndpoint,
                arguments: [
                    "train", "--task", "digits", "--steps", "\(Self.steps)", "--job-id", jobID, "--name", "system-trainer",
                    "--config", TrainingTests.settings, "--checkpoint-dir", checkpoints.path, "--host", "127.0.0.1",
                    "--port", "\(try freePort())", "--threads", "1",
                ])
            try await eventually(timeout: .seconds(180), "two steps done") {
                ((try? await client.getJob(jobID: jobID, withMetrics: false))?.job.currentStep ?? 0) >= 2
            }
            switch fault {
            case .storeKilled:
                await store.kill()
                try await Task.sleep(for: .seconds(1))
                store = try StoreProcess(databaseURL: postgres.url, name: name, tcpPort: port)
            case .postgresRestarted:
                try await postgres.stop()
                try await Task.sleep(for: .seconds(2))
                try await postgres.start()
            }
            try await eventually(timeout: .seconds(240), "the job ends") {
                ((try? await client.getJob(jobID: jobID, withMetrics: false))?.job.status.isTerminal) ?? false
            }
            #expect(await algorithm!.waitForExit(), "the trainer exits after its job")
            try await expectJobIntact(client, jobID: jobID, log: algorithm!.log + store.log)
        } catch {
            Issue.record("algorithm log:\n\(algorithm?.log.suffix(3000) ?? "")\nstore log:\n\(store.log.suffix(2000))")
            runner?.kill()
            algorithm?.kill()
            await store.kill()
            await postgres.destroy()
            throw error
        }
        runner?.terminate()
        _ = await runner?.waitForExit()
        await store.stop()
        await postgres.destroy()
        try? FileManager.default.removeItem(at: checkpoints)
    }

    /// Every step ran once on a full batch, and what training read (each succeeded train rollout's
    /// latest attempt) holds exactly one LLM call and one reward.
    private func expectJobIntact(_ client: StoreClient, jobID: String, log: String) async throws {
        let detail = try await client.getJob(jobID: jobID, withMetrics: true)
        #expect(detail.job.status == .succeeded && detail.job.currentStep == Self.steps, "\(detail.job.error ?? "")\n\(log.suffix(3000))")
        #expect(detail.metrics.map(\.step).sorted() == Array(0...Self.steps))
        let batch = 4 * 8
        // One LLM call per digits rollout: every rollout gave a transition, except groups GRPO skips for
        // having no reward variance.
        for metrics in detail.metrics where metrics.step > 0 {
            let counted = (metrics.values["transitions"] ?? 0) + 8 * (metrics.values["skipped_groups"] ?? 0)
            #expect(counted == Double(batch), "step \(metrics.step): \(metrics.values)")
        }
        let train = try await client.queryRollouts(RolloutQuery(statuses: [.succeeded], jobID: jobID, mode: .train, limit: 1000))
        #expect(train.total == Self.steps * batch, "every step's rollouts succeeded once")
        for rollout in train.rollouts {
            let spans = try await client.querySpans(SpanQuery(rolloutID: rollout.rolloutID, attempt: .latest))
            let names = spans.map(\.name)
            #expect(names.filter { $0.hasPrefix("chat ") }.count == 1 && names.filter { $0 == PrimaryReward.spanName }.count == 1,
                    "\(rollout.rolloutID): \(names)")
            #expect(Set(spans.map(\.spanID)).count == spans.count)
            #expect(rollout.finalReward != nil)
        }
    }
}
