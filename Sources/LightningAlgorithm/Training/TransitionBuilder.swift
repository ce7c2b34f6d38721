/// Turns a rollout's credited calls into training rows: one per call, or with `merge`, consecutive
/// calls of one trajectory in one row.
///
/// Merging: when a call's prompt starts with exactly the previous row's prompt and response (the
/// agent appended a tool result or user turn and called again), the call joins that row: the
/// appended observation tokens go into the response with loss mask 0, then the call's response with
/// mask 1. The row is then trained in one forward pass instead of re-reading the shared prefix once
/// per call. Calls of another agent or temperature, or that would make the row longer than
/// `maxRowTokens`, start a new row.
public struct TransitionBuilder: Sendable, Hashable {
    public var merge: Bool
    /// Longest merged row in tokens (prompt + response); use the model's context + 1 (a row of L
    /// tokens needs L − 1 positions). nil: unbounded. Single calls are never split.
    public var maxRowTokens: Int?

    public init(merge: Bool = false, maxRowTokens: Int? = nil) {
        self.merge = merge
        self.maxRowTokens = maxRowTokens
    }

    /// The rows of `rollout`; `advantages` (one per call, e.g. from `GRPO`) is broadcast to each
    /// call's tokens, nil leaves advantages at 0 (for GAE to fill in).
    public func transitions(for rollout: CreditedRollout, advantages: [Double]? = nil) -> [Transition] {
        precondition(advantages.map { $0.count == rollout.calls.count } ?? true, "one advantage per call")
        var rows: [Transition] = []
        for (index, call) in rollout.calls.enumerated() {
            let advantage = Float(advantages?[index] ?? 0)
            let reward = rollout.credits[index].reward
            if merge, var row = rows.last, let observation = observation(between: row, and: call) {
                let start = row.responseTokenIDs.count + observation.count
                row.responseTokenIDs += observation + call.responseTokenIDs
                row.responseLogprobs += Array(repeating: 0, count: observation.count) + call.responseLogprobs
                row.lossMask += Array(repeating: 0, count: observation.count) + Array(repeating: 1, count: call.responseTokenIDs.count)
                row.advantages += Array(repeating: 0, count: observation.count) + Array(repeating: advantage, count: call.responseTokenIDs.count)
                row.segments.append(Transition.Segment(
                    spanID: call.spanID, modelVersion: call.modelVersion, range: start..<row.responseTokenIDs.count, reward: reward))
                rows[rows.count - 1] = row
                continue
            }
            rows.append(Transition(
                rolloutID: rollout.rolloutID, agentName: call.agentName, temperature: call.temperature,
                promptTokenIDs: call.promptTokenIDs, responseTokenIDs: call.responseTokenIDs,
                responseLogprobs: call.responseLogprobs,
                segments: [Transition.Segment(spanID: call.spanID, modelVersion: call.modelVersion,
                                              range: 0..<call.responseTokenIDs.count, reward: reward)],
                advantages: Array(repeating: advantage, count: call.responseTokenIDs.count)))
        }
        return rows
    }

    /// The tokens `call`'s prompt adds after `row`'s prompt and response, or nil when it does not
    /// extend them exactly (or the merge is not allowed).
    private func observation(between row: Transition, and call: LLMCall) -> [Int32]? {
        guard row.agentName == call.agentName, row.temperature == call.temperature else { return nil }
        let prefixCount = row.promptTokenIDs.count + row.responseTokenIDs.count
        guard call.promptTokenIDs.count >= prefixCount else { return nil }
        if let maxRowTokens, call.promptTokenIDs.count + call.responseTokenIDs.count > maxRowTokens { return nil }
        let prompt = call.promptTokenIDs
        guard prompt[..<row.promptTokenIDs.count].elementsEqual(row.promptTokenIDs),
              prompt[row.promptTokenIDs.count..<prefixCount].elementsEqual(row.responseTokenIDs)
        else { return nil }
        return Array(prompt[prefixCount...])
    }
}
