/// The reward convention of DESIGN.md: a span named `lightning.reward` with a numeric
/// `lightning.reward.value`; the one named `primary` (the default) is the rollout's reward.
public enum PrimaryReward {
    public static let spanName = "lightning.reward"

    /// The reward value of a span, if it is a primary reward span; throws for a reward span without a
    /// finite number.
    public static func value(of span: Span) throws(LightningError) -> Double? {
        guard span.name == spanName else { return nil }
        let attributes = try span.attributes.value()
        let name = attributes["lightning.reward.name"]?.stringValue ?? "primary"
        guard let value = attributes["lightning.reward.value"]?.doubleValue, value.isFinite else {
            throw LightningError(.badRequest, "a lightning.reward span needs a finite number in lightning.reward.value")
        }
        return name == "primary" ? value : nil
    }

    /// The last primary reward among spans in sequence order.
    public static func last(in spans: [Span]) throws(LightningError) -> Double? {
        var reward: Double?
        for span in spans {
            if let value = try value(of: span) { reward = value }
        }
        return reward
    }
}
