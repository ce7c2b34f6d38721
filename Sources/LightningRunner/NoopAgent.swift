import LightningCore

/// An agent that does nothing and reports a fixed reward: measures the runner's own overhead, and checks
/// a deployment end to end without a model.
public struct NoopAgent: Agent {
    public let name = "noop"
    public let reward: Double

    public init(reward: Double = 1) {
        self.reward = reward
    }

    public func run(_ context: RolloutContext) async throws -> Double? {
        reward
    }
}
