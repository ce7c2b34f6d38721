import LightningCore

/// The spans of one rollout's latest successful attempt, in sequence order with their attributes
/// parsed once, plus what GRPO needs to know about the rollout (its group and final reward).
public struct RolloutTrace: Sendable {
    public let rolloutID: String
    /// Rollouts with the same key form one GRPO group; nil makes a group of one.
    public let groupKey: String?
    /// The rollout's final reward: the one given, else the last primary `lightning.reward` span's.
    public let finalReward: Double?
    /// Sorted by store sequence, then start time (spans not yet sequenced keep their time order).
    public let spans: [Span]
    /// `attributes[i]` is the parsed attribute object of `spans[i]`, nil when it is not one.
    let attributes: [JSONValue?]

    public init(rolloutID: String, groupKey: String? = nil, finalReward: Double? = nil, spans: [Span]) {
        self.rolloutID = rolloutID
        self.groupKey = groupKey
        let sorted = spans.sorted { ($0.sequence, $0.startTimeUnixNano) < ($1.sequence, $1.startTimeUnixNano) }
        self.spans = sorted
        let attributes = sorted.map { span -> JSONValue? in
            guard let value = try? span.attributes.value(), value.objectValue != nil else { return nil }
            return value
        }
        self.attributes = attributes
        self.finalReward = finalReward ?? Self.lastPrimaryReward(sorted, attributes)
    }

    /// A trace for a stored rollout; `spans` must be those of its latest successful attempt.
    public init(rollout: Rollout, spans: [Span]) {
        self.init(rolloutID: rollout.rolloutID, groupKey: rollout.groupKey, finalReward: rollout.finalReward, spans: spans)
    }

    /// Indices of the spans that record LLM calls (well-formed or not), in order.
    var callIndices: [Int] {
        spans.indices.filter { index in
            attributes[index].map(LLMCall.isCall) ?? LLMCall.isCall(named: spans[index].name)
        }
    }

    private static func lastPrimaryReward(_ spans: [Span], _ attributes: [JSONValue?]) -> Double? {
        for (span, attributes) in zip(spans, attributes).reversed() where span.name == TraceAttributes.rewardSpanName {
            let name = attributes?[TraceAttributes.rewardName]?.stringValue ?? "primary"
            if name == "primary", let value = attributes?[TraceAttributes.rewardValue]?.doubleValue, value.isFinite {
                return value
            }
        }
        return nil
    }
}
