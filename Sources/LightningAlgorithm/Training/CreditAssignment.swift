/// How a rollout's reward is shared among its LLM calls (LightningRL's credit assignment).
///
/// By default every call gets the final reward (identical assignment). With `discount` γ < 1 the
/// last call gets it and the call k calls earlier γᵏ times it. Intermediate-reward rules add to the
/// call that caused each matched span.
public struct CreditAssignment: Sendable, Hashable {
    /// γ in (0, 1]; 1 is identical assignment.
    public var discount: Double
    public var rules: [IntermediateRewardRule]

    public init(discount: Double = 1, rules: [IntermediateRewardRule] = []) {
        self.discount = discount
        self.rules = rules
    }

    /// The credit of each of `calls` (the trained calls of `trace`, in order).
    ///
    /// A matched span is charged to its parent when the parent is an LLM call, else to the latest LLM
    /// call before it in sequence order. LLM calls that are not trained (other agents, malformed) still
    /// count as causes: what they caused is reported as unattributed rather than moved to another call.
    public func assign(_ trace: RolloutTrace, calls: [LLMCall]) -> Credits {
        let last = calls.count - 1
        var credits = calls.indices.map { index in
            CallCredit(discount: pow(discount, last - index), finalReward: trace.finalReward ?? 0)
        }
        guard !rules.isEmpty else { return Credits(calls: credits) }
        let trained = Dictionary(calls.enumerated().map { ($1.spanID, $0) }, uniquingKeysWith: { first, _ in first })
        let callIndices = trace.callIndices
        let callSpanIDs = Set(callIndices.map { trace.spans[$0].spanID })
        var unattributed: [String] = []
        var latestCall: String?
        var nextCall = callIndices.startIndex
        for (index, span) in trace.spans.enumerated() {
            if nextCall < callIndices.endIndex, callIndices[nextCall] == index {
                latestCall = span.spanID
                nextCall += 1
                continue
            }
            let attributes = trace.attributes[index] ?? [:]
            for rule in rules where rule.match.matches(span, attributes) {
                guard let amount = rule.value(attributes) else { continue }
                let cause = span.parentSpanID.flatMap { callSpanIDs.contains($0) ? $0 : nil } ?? latestCall
                guard let cause, let target = trained[cause] else {
                    unattributed.append(span.spanID)
                    continue
                }
                credits[target].intermediate += amount
                credits[target].rules.append(rule.name)
            }
        }
        return Credits(calls: credits, unattributedSpanIDs: unattributed)
    }

    private func pow(_ base: Double, _ exponent: Int) -> Double {
        (0..<exponent).reduce(1) { value, _ in value * base }
    }
}

/// The credit of one LLM call.
public struct CallCredit: Sendable, Hashable {
    /// γᵏ for the call k calls before the last.
    public var discount: Double
    /// The rollout's final reward (0 when it has none).
    public var finalReward: Double
    /// Sum of the intermediate rewards charged to the call.
    public var intermediate: Double
    /// Names of the rules that charged it, once per matched span.
    public var rules: [String]

    public init(discount: Double = 1, finalReward: Double, intermediate: Double = 0, rules: [String] = []) {
        self.discount = discount
        self.finalReward = finalReward
        self.intermediate = intermediate
        self.rules = rules
    }

    /// The call's reward: `discount · finalReward + intermediate`.
    public var reward: Double { discount * finalReward + intermediate }
}

/// Credits of a rollout's trained calls (parallel to them) and the matched spans that could not
/// be charged to a trained call.
public struct Credits: Sendable, Hashable {
    public var calls: [CallCredit]
    public var unattributedSpanIDs: [String]

    public init(calls: [CallCredit], unattributedSpanIDs: [String] = []) {
        self.calls = calls
        self.unattributedSpanIDs = unattributedSpanIDs
    }
}
