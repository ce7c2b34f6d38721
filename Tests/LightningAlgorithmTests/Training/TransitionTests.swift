import LightningAlgorithm
import LightningCore
import Testing

@Suite struct TransitionTests {
    typealias F = TraceFixture
    static let prompt1: [Int32] = [0, 1, 259, 72]
    static let response1: [Int32] = [260, 5, 6]
    static let observation: [Int32] = [261, 9, 257]
    static let response2: [Int32] = [260, 7, 257]

    /// c1 → failed tool t1 (parented to an agent span) → c2 (extends c1) → c3 (other agent) →
    /// c4 (malformed) → failed tool t2 (parent c2) → failed tool t3 (parent c3) → reward 1. Shuffled.
    static var spans: [Span] {
        [
            F.reward(8, id: "r", value: 1),
            F.tool(6, id: "t2", parent: "c2", failed: true),
            F.call(3, id: "c2", prompt: prompt1 + response1 + observation, response: response2, version: 4),
            F.call(1, id: "c1", prompt: prompt1, response: response1),
            F.tool(2, id: "t1", parent: "agent-span", failed: true),
            F.call(4, id: "c3", prompt: [1], response: [2], agent: "critic"),
            F.call(5, id: "c4", prompt: [1], response: [2, 3], logprobs: [-0.5]),
            F.tool(7, id: "t3", parent: "c3", failed: true),
            F.tool(9, id: "t4", failed: false),
        ]
    }

    @Test("one call per LLM span in sequence order, with token ids, logprobs, version, agent and span id")
    func extractsCallsInOrder() {
        let trace = RolloutTrace(rolloutID: F.rolloutID, groupKey: "task-1", spans: Self.spans)
        let extraction = TransitionExtractor().extract(trace)
        #expect(extraction.calls.map(\.spanID) == ["c1", "c2", "c3"])
        let c1 = extraction.calls[0]
        #expect(c1.promptTokenIDs == Self.prompt1 && c1.responseTokenIDs == Self.response1)
        #expect(c1.responseLogprobs == [-0.1, -0.2, -0.3].map(Float.init))
        #expect(c1.modelVersion == 3 && extraction.calls[1].modelVersion == 4)
        #expect(c1.agentName == "solver" && extraction.calls[2].agentName == "critic")
        #expect(c1.rolloutID == F.rolloutID && c1.temperature == 1)
        #expect(trace.finalReward == 1)
    }

    @Test("the agent filter keeps only the named agents' calls and counts the others")
    func agentFilter() {
        let extraction = TransitionExtractor(agentNames: ["solver"]).extract(RolloutTrace(rolloutID: F.rolloutID, spans: Self.spans))
        #expect(extraction.calls.map(\.spanID) == ["c1", "c2"])
        #expect(extraction.filteredCount == 1)
        #expect(TransitionExtractor(agentNames: ["critic"]).extract(RolloutTrace(rolloutID: F.rolloutID, spans: Self.spans))
            .calls.map(\.spanID) == ["c3"])
    }

    @Test("a span whose logprobs do not match its response tokens is skipped with the reason")
    func mismatchSkipped() {
        let extraction = TransitionExtractor().extract(RolloutTrace(rolloutID: F.rolloutID, spans: Self.spans))
        #expect(extraction.skipped == [SkippedSpan(rolloutID: F.rolloutID, spanID: "c4", reason: .lengthMismatch(tokens: 2, logprobs: 1))])
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let label: String
        let attributes: JSONValue
        let reason: SkippedSpan.Reason
        var testDescription: String { label }
    }

    static let malformed: [Malformed] = [
        Malformed(label: "no prompt ids", attributes: ["gen_ai.operation.name": "chat", "lightning.response_token_ids": [1], "lightning.response_logprobs": [-1]],
                  reason: .missingAttribute("lightning.prompt_token_ids")),
        Malformed(label: "no logprobs", attributes: ["gen_ai.operation.name": "chat", "lightning.prompt_token_ids": [1], "lightning.response_token_ids": [1]],
                  reason: .missingAttribute("lightning.response_logprobs")),
        Malformed(label: "fractional token id", attributes: ["gen_ai.operation.name": "chat", "lightning.prompt_token_ids": [1.5], "lightning.response_token_ids": [1], "lightning.response_logprobs": [-1]],
                  reason: .invalidAttribute("lightning.prompt_token_ids")),
        Malformed(label: "negative token id", attributes: ["gen_ai.operation.name": "chat", "lightning.prompt_token_ids": [1], "lightning.response_token_ids": [-3], "lightning.response_logprobs": [-1]],
                  reason: .invalidAttribute("lightning.response_token_ids")),
        Malformed(label: "token ids as a string", attributes: ["gen_ai.operation.name": "chat", "lightning.prompt_token_ids": "1,2", "lightning.response_token_ids": [1], "lightning.response_logprobs": [-1]],
                  reason: .invalidAttribute("lightning.prompt_token_ids")),
        Malformed(label: "positive logprob", attributes: ["gen_ai.operation.name": "chat", "lightning.prompt_token_ids": [1], "lightning.response_token_ids": [1], "lightning.response_logprobs": [0.5]],
                  reason: .invalidAttribute("lightning.response_logprobs")),
        Malformed(label: "empty response", attributes: ["gen_ai.operation.name": "chat", "lightning.prompt_token_ids": [1], "lightning.response_token_ids": [], "lightning.response_logprobs": []],
                  reason: .emptyResponse),
        Malformed(label: "empty prompt", attributes: ["gen_ai.operation.name": "chat", "lightning.prompt_token_ids": [], "lightning.response_token_ids": [1], "lightning.response_logprobs": [-1]],
                  reason: .emptyPrompt),
        Malformed(label: "attributes not an object", attributes: [1, 2], reason: .unreadableAttributes),
    ]

    @Test("malformed LLM spans are skipped with a reason, never a crash", arguments: malformed)
    func malformedSkipped(_ example: Malformed) {
        let spans = [F.span(1, id: "bad", name: "chat lightning-test", attributes: example.attributes),
                     F.call(2, id: "good", prompt: [1], response: [2])]
        let extraction = TransitionExtractor().extract(RolloutTrace(rolloutID: F.rolloutID, finalReward: 0, spans: spans))
        #expect(extraction.calls.map(\.spanID) == ["good"])
        #expect(extraction.skipped.map(\.reason) == [example.reason])
    }

    @Test("greedy calls are trained at temperature 1, sampled ones at their temperature")
    func temperatures() {
        let spans = [F.call(1, id: "a", prompt: [1], response: [2], temperature: 0), F.call(2, id: "b", prompt: [1], response: [2], temperature: 0.7)]
        let calls = TransitionExtractor().extract(RolloutTrace(rolloutID: F.rolloutID, spans: spans)).calls
        #expect(calls.map(\.temperature) == [1, Float(0.7)])
    }

    @Test("merging: a call extending the previous prompt and response joins its row with the observation masked")
    func mergingMasksObservation() throws {
        let trace = RolloutTrace(rolloutID: F.rolloutID, spans: Self.spans)
        let extraction = TransitionExtractor(agentNames: ["solver"]).extract(trace)
        let rollout = CreditedRollout(rolloutID: F.rolloutID, groupKey: nil, finalReward: 1, calls: extraction.calls,
                                      credits: CreditAssignment().assign(trace, calls: extraction.calls).calls)
        let rows = TransitionBuilder(merge: true).transitions(for: rollout, advantages: [0.5, -0.25])
        let row = try #require(rows.first)
        #expect(rows.count == 1)
        #expect(row.promptTokenIDs == Self.prompt1)
        #expect(row.responseTokenIDs == Self.response1 + Self.observation + Self.response2)
        #expect(row.lossMask == [1, 1, 1, 0, 0, 0, 1, 1, 1])
        #expect(row.responseLogprobs == [-0.1, -0.2, -0.3, 0, 0, 0, -0.1, -0.2, -0.3].map(Float.init))
        #expect(row.advantages == [0.5, 0.5, 0.5, 0, 0, 0, -0.25, -0.25, -0.25])
        #expect(row.segments.map(\.spanID) == ["c1", "c2"])
        #expect(row.segments.map(\.range) == [0..<3, 6..<9])
        #expect(row.segments.map(\.modelVersion) == [3, 4])
        #expect(row.trainedTokenCount == 6)

        let separate = TransitionBuilder(merge: false).transitions(for: rollout, advantages: [0.5, -0.25])
        #expect(separate.map(\.promptTokenIDs) == [Self.prompt1, Self.prompt1 + Self.response1 + Self.observation])
        #expect(separate.map(\.lossMask) == [[1, 1, 1], [1, 1, 1]])
        #expect(separate.map(\.spanID) == ["c1", "c2"])
        // A row limit the merged row would exceed keeps the calls apart.
        #expect(TransitionBuilder(merge: true, maxRowTokens: 12).transitions(for: rollout).count == 2)
    }

    @Test("merging leaves calls apart when the prompt does not extend the previous call exactly")
    func noMergeWithoutExtension() {
        let spans = [F.call(1, id: "a", prompt: [1, 2], response: [3]), F.call(2, id: "b", prompt: [1, 2, 4, 5], response: [6]),
                     F.call(3, id: "c", prompt: [1, 2, 4, 5, 6], response: [7], temperature: 0.5)]
        let trace = RolloutTrace(rolloutID: F.rolloutID, finalReward: 1, spans: spans)
        let calls = TransitionExtractor().extract(trace).calls
        let rollout = CreditedRollout(rolloutID: F.rolloutID, groupKey: nil, finalReward: 1, calls: calls,
                                      credits: CreditAssignment().assign(trace, calls: calls).calls)
        // b does not extend a's response (3 ≠ 4); c extends b but was sampled at another temperature.
        #expect(TransitionBuilder(merge: true).transitions(for: rollout).map(\.spanID) == ["a", "b", "c"])
    }

    @Test("identical assignment gives every call the final reward; discounting shrinks it toward earlier calls")
    func discounting() {
        let spans = [F.call(1, id: "a", prompt: [1], response: [2]), F.call(2, id: "b", prompt: [1], response: [2]),
                     F.call(3, id: "c", prompt: [1], response: [2]), F.reward(4, id: "r", value: 2)]
        let trace = RolloutTrace(rolloutID: F.rolloutID, spans: spans)
        let calls = TransitionExtractor().extract(trace).calls
        #expect(CreditAssignment().assign(trace, calls: calls).calls.map(\.reward) == [2, 2, 2])
        #expect(isClose(CreditAssignment(discount: 0.5).assign(trace, calls: calls).calls.map(\.reward), [0.5, 1, 2]))
    }

    @Test("AIR: a failed tool call penalizes its parent LLM call, else the latest call before it; causes that are not trained are reported")
    func intermediateRewardAttribution() {
        let trace = RolloutTrace(rolloutID: F.rolloutID, spans: Self.spans)
        let calls = TransitionExtractor(agentNames: ["solver"]).extract(trace).calls
        let credits = CreditAssignment(rules: [.toolError(penalty: 0.5)]).assign(trace, calls: calls)
        // t1's parent is not an LLM call: the latest call before it, c1. t2's parent is c2 (the malformed
        // c4 comes later than c2 but before t2; the parent wins). t3's parent c3 is another agent's call.
        #expect(credits.calls.map(\.intermediate) == [-0.5, -0.5])
        #expect(credits.calls.map(\.rules) == [["tool_error"], ["tool_error"]])
        #expect(credits.calls.map(\.reward) == [0.5, 0.5])
        #expect(credits.unattributedSpanIDs == ["t3"])
    }

    @Test("AIR: step rewards reported as named reward spans go to the preceding call; the primary reward stays final")
    func rewardSpanRule() {
        let spans = [F.call(1, id: "a", prompt: [1], response: [2]), F.reward(2, id: "s1", value: 0.25, name: "step"),
                     F.call(3, id: "b", prompt: [1], response: [2]), F.reward(4, id: "final", value: 1)]
        let trace = RolloutTrace(rolloutID: F.rolloutID, spans: spans)
        let calls = TransitionExtractor().extract(trace).calls
        let credits = CreditAssignment(rules: [.rewardSpans(named: "step")]).assign(trace, calls: calls)
        #expect(trace.finalReward == 1)
        #expect(credits.calls.map(\.intermediate) == [0.25, 0])
    }
}
