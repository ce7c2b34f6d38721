/// How a client retries calls that failed for a passing reason (`unavailable`, `timeout`,
/// `overloaded`): exponential back-off with jitter, for at most `budget` in total.
public struct RetryPolicy: Sendable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    /// Total time spent retrying one call before its last error is returned; zero disables retries.
    public var budget: Duration

    public init(initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5), budget: Duration = .seconds(60)) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.budget = budget
    }

    public static let none = RetryPolicy(budget: .zero)

    /// The delay before retry number `attempt` (1 for the first retry), with ±50% jitter.
    func delay(attempt: Int) -> Duration {
        let exponent = min(attempt - 1, 20)
        let base = min(initialDelay * (1 << exponent), maximumDelay)
        return base * Double.random(in: 0.5...1.5)
    }
}
