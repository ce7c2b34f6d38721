import LightningCore

/// An automatic intermediate reward (AIR): every span the rule matches adds `amount` to the reward
/// of the LLM call that caused it. Turns monitoring signals (failed tool calls, agent-reported step
/// rewards) into per-call credit without changing the agent.
public struct IntermediateRewardRule: Sendable, Hashable {
    /// How much a matched span adds.
    public enum Amount: Sendable, Hashable {
        case fixed(Double)
        /// The numeric attribute of the matched span (a span without a finite one adds nothing).
        case attribute(String)
    }

    /// Shows up in reports.
    public var name: String
    public var match: SpanMatch
    public var amount: Amount

    public init(name: String, match: SpanMatch, amount: Amount) {
        self.name = name
        self.match = match
        self.amount = amount
    }

    /// A tool call (`gen_ai.operation.name = execute_tool`) that ended with error status costs the
    /// call that asked for it `penalty`.
    public static func toolError(penalty: Double = 0.5) -> IntermediateRewardRule {
        IntermediateRewardRule(
            name: "tool_error", match: SpanMatch(operationName: TraceAttributes.toolOperation, statusCode: .error),
            amount: .fixed(-penalty))
    }

    /// `lightning.reward` spans with the given `lightning.reward.name` (not the primary reward) add
    /// their value to the preceding call.
    public static func rewardSpans(named rewardName: String) -> IntermediateRewardRule {
        IntermediateRewardRule(
            name: "reward_\(rewardName)",
            match: SpanMatch(spanName: TraceAttributes.rewardSpanName, attributes: [TraceAttributes.rewardName: rewardName]),
            amount: .attribute(TraceAttributes.rewardValue))
    }

    /// What a matched span adds.
    func value(_ attributes: JSONValue) -> Double? {
        switch amount {
        case .fixed(let value): value
        case .attribute(let key): attributes[key]?.doubleValue.flatMap { $0.isFinite ? $0 : nil }
        }
    }
}

/// Which spans a rule applies to: every condition given must hold.
public struct SpanMatch: Sendable, Hashable {
    /// `gen_ai.operation.name`.
    public var operationName: String?
    public var spanName: String?
    public var statusCode: SpanStatusCode?
    /// String attributes that must have exactly these values.
    public var attributes: [String: String]

    public init(operationName: String? = nil, spanName: String? = nil, statusCode: SpanStatusCode? = nil, attributes: [String: String] = [:]) {
        self.operationName = operationName
        self.spanName = spanName
        self.statusCode = statusCode
        self.attributes = attributes
    }

    func matches(_ span: Span, _ attributes: JSONValue) -> Bool {
        if let operationName, attributes[TraceAttributes.operationName]?.stringValue != operationName { return false }
        if let spanName, span.name != spanName { return false }
        if let statusCode, span.statusCode != statusCode { return false }
        return self.attributes.allSatisfy { attributes[$0.key]?.stringValue == $0.value }
    }
}
