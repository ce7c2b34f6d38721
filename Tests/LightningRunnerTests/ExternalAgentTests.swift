import Foundation
import LightningCore
@testable import LightningRunner
import Testing

@Suite struct ExternalAgentTests {
    func context() -> RolloutContext {
        let rollout = Rollout(rolloutID: "ro-1", input: JSONText(unchecked: #"{"q":1}"#), status: .running, attemptCount: 1)
        let attempt = Attempt(attemptID: "at-1", rolloutID: "ro-1", sequence: 1)
        return RolloutContext(
            rollout: rollout, attempt: attempt, llm: LLMEndpoint(baseURL: "http://m/v1", model: "m"), resources: nil,
            tracer: AgentTracer(rolloutID: "ro-1", attemptID: "at-1") { _ in }
        )
    }

    @Test("the reward comes from the last stdout line; the task arrives on stdin")
    func reward() async throws {
        let agent = ExternalAgent(command: #"read line; echo "got $line"; echo '{"reward": 0.25}'"#, otlpEndpoint: "http://store:4318")
        #expect(try await agent.run(context()) == 0.25)
    }

    @Test("cancelling the run kills the whole process group at once")
    func cancellation() async throws {
        let agent = ExternalAgent(command: "sleep 30 & sleep 30; wait", otlpEndpoint: "http://store:4318")
        let started = ContinuousClock.now
        let task = Task { try await agent.run(context()) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        _ = try? await task.value
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("reward lines are read strictly", arguments: [
        ("{\"reward\": 1}", 1.0), ("noise\n{\"reward\": -2.5}\n\n", -2.5), ("{\"other\": 1}", nil), ("", nil),
    ] as [(String, Double?)])
    func rewardLines(_ output: String, _ expected: Double?) throws {
        #expect(try RewardLine.reward(in: output) == expected)
    }

    @Test("a non-numeric reward is an error")
    func nonNumericReward() {
        #expect(throws: AgentFailure.self) { try RewardLine.reward(in: #"{"reward": "high"}"#) }
        #expect(throws: AgentFailure.self) { try RewardLine.reward(in: #"{"reward": null}"#) }
    }

    @Test("bounded buffers keep the end")
    func boundedBuffer() {
        var buffer = BoundedBuffer(capacity: 4)
        buffer.append(Array("abcdef".utf8))
        #expect(buffer.text == "[… 2 bytes dropped]\ncdef")
    }
}

@Suite struct ExternalAgentFloodTests {
    @Test("an agent flooding stdout keeps memory bounded and still fails clearly")
    func flood() async throws {
        let agent = ExternalAgent(command: "head -c 20000000 /dev/zero | tr '\\\\0' x; echo", otlpEndpoint: "http://store:4318")
        let started = ContinuousClock.now
        await #expect(throws: AgentFailure.self) { try await agent.run(ExternalAgentTests().context()) }
        print("flood took \(ContinuousClock.now - started)")
    }
}
