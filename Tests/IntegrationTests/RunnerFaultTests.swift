import Foundation
import LightningClient
import LightningCore
import LightningRunner
import LightningWire
import Testing

/// Runners that die or are stopped, and a store that restarts under them.
@Suite struct RunnerFaultTests {
    @Test("kill -9 of a runner mid-rollout: the attempt turns unresponsive, another runner succeeds once")
    func killedRunner() async throws {
        try await withTestStore { store in
            let marker = NSTemporaryDirectory() + "lt-started-\(Identifier.make(""))"
            // The first run marks that it started, then hangs; runs after that finish at once.
            let command = "if [ -e \(marker) ]; then echo '{\"reward\": 1}'; else touch \(marker); sleep 600; fi"
            let config = RolloutConfig(unresponsiveSeconds: 1, maxAttempts: 3, retryOn: [.unresponsive])
            let id = try await store.client.enqueueRollouts([submission(config: config)])[0].rolloutID
            let doomed = try ServiceProcess(
                storeEndpoint: store.requestEndpoint,
                arguments: ["--agent-command", command, "--workers", "1", "--heartbeat-interval", "0.2", "--otlp-endpoint", store.otlpEndpoint]
            )
            try await eventually("the first attempt runs") { FileManager.default.fileExists(atPath: marker) }
            doomed.kill()
            #expect(await doomed.waitForExit())
            try await withRunner(store, agent: ExternalAgent(command: command, otlpEndpoint: store.otlpEndpoint), workers: 1) {
                let finished = try await store.finished([id])
                #expect(finished.first?.status == .succeeded)
            }
            let detail = try await store.client.getRollout(rolloutID: id)
            #expect(detail.attempts.map(\.status) == [.unresponsive, .succeeded])
            // What training reads, the latest attempt's spans, holds one reward.
            let rewards = try await store.client.querySpans(SpanQuery(rolloutID: id, attempt: .latest, name: PrimaryReward.spanName))
            #expect(rewards.count == 1)
            // The killed runner's agent lives on in its own process group; end it.
            _ = try? await Command.run("/usr/bin/pkill", ["-f", marker], environment: [:])
            try? FileManager.default.removeItem(atPath: marker)
        }
    }

    @Test("SIGTERM drains: running rollouts finish, no new ones start, and those past the grace period are released")
    func drain() async throws {
        try await withTestStore { store in
            _ = try await store.client.enqueueRollouts((0..<3).map { _ in submission() })
            // Two workers: two rollouts start; each takes ten seconds, long enough to see both running on a busy machine.
            let runner = try ServiceProcess(
                storeEndpoint: store.requestEndpoint,
                arguments: ["--agent-command", "sleep 10; echo '{\"reward\": 1}'", "--workers", "2", "--drain-grace", "30",
                            "--otlp-endpoint", store.otlpEndpoint]
            )
            try await eventually(timeout: .seconds(30), "two rollouts running") {
                try await store.client.statistics().attemptsByStatus["running"] == 2
            }
            runner.terminate()
            #expect(await runner.waitForExit())
            let statistics = try await store.client.statistics()
            #expect(statistics.rolloutsByStatus["succeeded"] == 2, "\(statistics)\n\(runner.log)")
            #expect(statistics.rolloutsByStatus["queuing"] == 1)

            // A grace period too short for the agent: the attempt is released as failed and retried.
            let slow = try ServiceProcess(
                storeEndpoint: store.requestEndpoint,
                arguments: ["--agent-command", "sleep 30", "--workers", "1", "--drain-grace", "0.5", "--otlp-endpoint", store.otlpEndpoint]
            )
            try await eventually(timeout: .seconds(30), "the last rollout running") { try await store.client.statistics().attemptsByStatus["running"] == 1 }
            slow.terminate()
            #expect(await slow.waitForExit())
            let requeued = try await store.client.queryRollouts(RolloutQuery(statuses: [.requeuing]))
            #expect(requeued.total == 1, "\(slow.log)")
            let attempt = try #require(try await store.client.getRollout(rolloutID: requeued.rollouts[0].rolloutID).attempts.last)
            #expect(attempt.status == .failed)
            #expect(attempt.error?.contains("shut down") == true)
        }
    }

    @Test("a store killed and restarted while runners work loses no span and no reward")
    func storeRestart() async throws {
        let database = try await TestDatabase.create()
        let name = Identifier.make("s")
        var store = try StoreProcess(databaseURL: database.url, name: name)
        let context = try ZMQContext()
        let client = try StoreClient(
            configuration: StoreClientConfiguration(endpoints: [store.requestEndpoint], requestTimeout: .seconds(3), retry: RetryPolicy(budget: .seconds(60))),
            context: context
        )
        // A claim whose reply the kill swallowed is orphaned until its attempt counts as unresponsive:
        // 5 s here rather than the default minute, so the run does not wait on the watchdog.
        let config = RolloutConfig(unresponsiveSeconds: 5)
        let ids = try await client.enqueueRollouts((0..<200).map { _ in submission(config: config) }).map(\.rolloutID)
        var configuration = RunnerConfiguration()
        configuration.workers = 8
        configuration.dequeueWaitSeconds = 0.5
        configuration.heartbeatInterval = .milliseconds(500)
        let runner = Runner(store: client, agent: SpanningAgent(), configuration: configuration, logger: testLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await runner.run() }
            try await eventually("some rollouts done") { try await client.statistics().rolloutsByStatus["succeeded", default: 0] >= 40 }
            await store.kill()
            try await Task.sleep(for: .milliseconds(500))
            store = try StoreProcess(databaseURL: database.url, name: name)
            let ended = try await client.waitForRollouts(rolloutIDs: ids, timeoutSeconds: 120)
            #expect(ended.count == 200)
            group.cancelAll()
        }
        let statistics = try await client.statistics()
        #expect(statistics.rolloutsByStatus == ["succeeded": 200], "\(statistics)")
        // Every succeeded rollout has its reward and, in its successful attempt, all three of its spans.
        for id in ids {
            let detail = try await client.getRollout(rolloutID: id)
            #expect(detail.rollout.finalReward == 1)
            let spans = try await client.querySpans(SpanQuery(rolloutID: id, attempt: .latest))
            #expect(Set(spans.map(\.name)) == ["step.1", "step.2", PrimaryReward.spanName], "\(id): \(spans.map(\.name))")
        }
        client.close()
        await store.stop()
        await database.drop()
    }
}

/// A built-in agent that records two steps and returns a reward.
struct SpanningAgent: Agent {
    let name = "spanning"

    func run(_ context: RolloutContext) async throws -> Double? {
        for step in 1...2 {
            _ = try await context.tracer.span("step.\(step)") { step }
            try await Task.sleep(for: .milliseconds(20))
        }
        return 1
    }
}
