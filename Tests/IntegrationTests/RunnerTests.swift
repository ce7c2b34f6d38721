import Foundation
import LightningClient
import LightningCore
import LightningRunner
import Testing

@Suite struct RunnerTests {
    @Test("a runner works through the queue with a built-in agent and reports every reward")
    func builtInAgent() async throws {
        try await withTestStore { store in
            let ids = try await store.client.enqueueRollouts((0..<20).map { _ in submission() }).map(\.rolloutID)
            try await withRunner(store, agent: NoopAgent(reward: 0.75), workers: 4) {
                let rollouts = try await store.finished(ids)
                #expect(rollouts.allSatisfy { $0.status == .succeeded && $0.finalReward == 0.75 })
            }
            let rewardSpans = try await store.client.querySpans(SpanQuery(rolloutID: ids[0], name: "lightning.reward"))
            #expect(rewardSpans.count == 1)
            #expect(try rewardSpans[0].attributes.value()["lightning.reward.source"] == "agent")
        }
    }

    @Test("an external agent gets the task on stdin and its environment, sends OpenTelemetry spans and prints its reward")
    func externalAgent() async throws {
        try await withTestStore { store in
            let command = try pythonAgent(
                """
                import json, os, sys
                from opentelemetry import trace
                from opentelemetry.sdk.resources import Resource
                from opentelemetry.sdk.trace import TracerProvider
                from opentelemetry.sdk.trace.export import BatchSpanProcessor
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
                task = json.loads(sys.stdin.read())
                provider = TracerProvider(resource=Resource.create())
                provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
                tracer = provider.get_tracer("test-agent")
                with tracer.start_as_current_span("solve") as span:
                    span.set_attribute("question", task["question"])
                    span.set_attribute("base_url", os.environ["OPENAI_BASE_URL"])
                    span.set_attribute("rollout", os.environ["LIGHTNING_ROLLOUT_ID"])
                provider.shutdown()
                print("thinking...")
                print(json.dumps({"reward": 0.5}))
                """
            )
            let agent = ExternalAgent(command: command, otlpEndpoint: store.otlpEndpoint)
            let ids = try await store.client.enqueueRollouts([submission()]).map(\.rolloutID)
            try await withRunner(store, agent: agent, configure: { $0.modelEndpoint = "http://model:8000/v1" }) {
                let rollout = try #require(try await store.finished(ids).first)
                let attempts = try await store.client.getRollout(rolloutID: ids[0]).attempts
                #expect(rollout.status == .succeeded, "\(attempts)")
                #expect(rollout.finalReward == 0.5)
            }
            let detail = try await store.client.getRollout(rolloutID: ids[0])
            let spans = try await store.client.querySpans(SpanQuery(rolloutID: ids[0]))
            let solve = try #require(spans.first { $0.name == "solve" }, "spans: \(spans.map(\.name)); attempts: \(detail.attempts)")
            #expect(solve.attemptID == detail.attempts[0].attemptID)
            let attributes = try solve.attributes.value()
            #expect(attributes["question"] == "1+1")
            #expect(attributes["rollout"]?.stringValue == ids[0])
            #expect(attributes["base_url"]?.stringValue == "http://model:8000/rollout/\(ids[0])/attempt/\(detail.attempts[0].attemptID)/v1")
        }
    }

    @Test("an agent that crashes, hangs, prints garbage, floods its output or reports a non-numeric reward fails its attempt with a clear reason")
    func misbehavingAgents() async throws {
        let cases: [(command: String, status: AttemptStatus, reason: String)] = [
            ("echo 'Traceback: boom' >&2; exit 3", .failed, "exited with status 3; stderr: Traceback: boom"),
            ("sleep 60", .timeout, "stopped the agent after"),
            ("echo 'not json at all'", .failed, "reported no reward"),
            ("head -c 20000000 /dev/zero | tr '\\\\0' x; echo", .failed, "reported no reward"),
            ("head -c 20000000 /dev/zero >&2; exit 1", .failed, "bytes dropped"),
            ("echo '{\"reward\": \"high\"}'", .failed, "not a finite number"),
        ]
        try await withTestStore { store in
            let no = RolloutConfig(maxAttempts: 1, retryOn: [])
            for (command, status, reason) in cases {
                testLogger.info("misbehaving agent: \(command)")
                let agent = ExternalAgent(command: command, otlpEndpoint: store.otlpEndpoint)
                let id = try await store.client.enqueueRollouts([submission(config: no)])[0].rolloutID
                // Only the hanging agent needs a short limit; the others must not overrun on a busy machine.
                let limit: Duration = status == .timeout ? .seconds(1) : .seconds(60)
                try await withRunner(store, agent: agent, workers: 1, configure: { $0.rolloutTimeout = limit }) {
                    _ = try await store.finished([id], timeout: 90)
                }
                let attempt = try #require(try await store.client.getRollout(rolloutID: id).attempts.first)
                #expect(attempt.status == status, "\(command)")
                #expect(attempt.error?.contains(reason) == true, "\(command): \(attempt.error ?? "no error")")
            }
            // And the runner carries on.
            let id = try await store.client.enqueueRollouts([submission()])[0].rolloutID
            try await withRunner(store, agent: ExternalAgent(command: "echo '{\"reward\": 1}'", otlpEndpoint: store.otlpEndpoint), workers: 1) {
                let finished = try await store.finished([id])
                #expect(finished.first?.status == .succeeded)
            }
        }
    }
}
