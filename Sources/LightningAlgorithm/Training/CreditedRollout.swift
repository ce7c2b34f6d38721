/// One rollout's trained calls with their credits: the input of advantage estimation and of the
/// transition builder.
public struct CreditedRollout: Sendable, Hashable {
    public var rolloutID: String
    public var groupKey: String?
    /// nil when the rollout reported no reward (GRPO leaves it out).
    public var finalReward: Double?
    public var calls: [LLMCall]
    /// Parallel to `calls`.
    public var credits: [CallCredit]

    public init(rolloutID: String, groupKey: String?, finalReward: Double?, calls: [LLMCall], credits: [CallCredit]) {
        precondition(calls.count == credits.count, "one credit per call")
        self.rolloutID = rolloutID
        self.groupKey = groupKey
        self.finalReward = finalReward
        self.calls = calls
        self.credits = credits
    }
}
