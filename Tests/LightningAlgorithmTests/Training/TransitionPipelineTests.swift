import LightningAlgorithm
import LightningCore
import Testing

@Suite struct TransitionPipelineTests {
    typealias F = TraceFixture

    @Test("spans recorded by the model host read back as calls with their token ids, logprobs, version, agent and temperature")
    func hostSpansRoundTrip() throws {
        let call = RecordedCall(
            rolloutID: "ro-1", attemptID: "at-1", trace: nil, operation: .chat, requestModel: "m", responseModel: "m", responseID: "chatcmpl-1",
            temperature: 0.7, topP: nil, maxTokens: 8, promptTokenIDs: [256, 259, 0, 1, 257, 260],
            choices: [.init(index: 0, tokenIDs: [104, 105, 257], logprobs: [-0.25, -1.5, -0.125], text: "hi", finishReason: "stop"),
                      .init(index: 1, tokenIDs: [0, 257], logprobs: [-2, -0.5], text: "\0", finishReason: "stop")],
            modelVersion: 5, agentName: "solver", requestJSON: "{}", startTimeUnixNano: 1, endTimeUnixNano: 2)
        var spans = call.spans()
        for index in spans.indices { spans[index].sequence = Int64(index + 1) }
        let extraction = TransitionExtractor(agentNames: ["solver"]).extract(RolloutTrace(rolloutID: "ro-1", spans: spans))
        #expect(extraction.skipped.isEmpty)
        #expect(extraction.calls.map(\.responseTokenIDs) == [[104, 105, 257], [0, 257]])
        #expect(extraction.calls.map(\.responseLogprobs) == [[-0.25, -1.5, -0.125], [-2, -0.5]])
        #expect(extraction.calls.allSatisfy { $0.promptTokenIDs == [256, 259, 0, 1, 257, 260] })
        #expect(extraction.calls.allSatisfy { $0.modelVersion == 5 && $0.agentName == "solver" && $0.temperature == Float(0.7) })
        #expect(extraction.calls.map(\.spanID) == spans.map(\.spanID))
    }

    @Test("GRPO pipeline: traces to merged transitions with advantages; uniform groups, bad spans and unattributed penalties reported")
    func grpoPipeline() throws {
        let winner = RolloutTrace(rolloutID: "win", groupKey: "task-a", spans: [
            F.call(1, id: "w1", prompt: [1, 2], response: [3]), F.tool(2, id: "wt", failed: true),
            F.call(3, id: "w2", prompt: [1, 2, 3, 4], response: [5, 6]), F.reward(4, id: "wr", value: 1),
        ])
        let loser = RolloutTrace(rolloutID: "lose", groupKey: "task-a", finalReward: 0, spans: [
            F.tool(1, id: "early", failed: true), F.call(2, id: "l1", prompt: [1, 2], response: [7], logprobs: [0.5]),
            F.call(3, id: "l2", prompt: [1, 2], response: [8]),
        ])
        let tie1 = RolloutTrace(rolloutID: "tie1", groupKey: "task-b", finalReward: 1, spans: [F.call(1, id: "t1", prompt: [1], response: [2])])
        let tie2 = RolloutTrace(rolloutID: "tie2", groupKey: "task-b", finalReward: 1, spans: [F.call(1, id: "t2", prompt: [1], response: [2])])
        let pipeline = TransitionPipeline(credit: CreditAssignment(rules: [.toolError(penalty: 0.25)]), builder: TransitionBuilder(merge: true))
        let report = pipeline.grpoTransitions([winner, loser, tie1, tie2])

        #expect(report.transitions.map(\.rolloutID) == ["win", "lose"])
        let a = 0.7071061  // ±(1 − 0.5)/√0.5
        let win = report.transitions[0]
        #expect(win.responseTokenIDs == [3, 4, 5, 6] && win.lossMask == [1, 0, 1, 1])
        #expect(isClose(win.advantages, [a - 0.25, 0, a, a], 1e-5))
        #expect(isClose(report.transitions[1].advantages, [-a], 1e-5))
        #expect(report.skippedSpans.map(\.spanID) == ["l1"])
        #expect(report.skippedGroups.map(\.key) == ["task-b"])
        #expect(report.unattributedSpanIDs == ["early"])
    }
}
