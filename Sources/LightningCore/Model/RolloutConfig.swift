/// Per-rollout limits and retry policy, enforced by the store's watchdog.
public struct RolloutConfig: Sendable, Hashable, Codable {
    /// Wall time an attempt may run before it is marked `timeout`; `nil` means no limit.
    public var timeoutSeconds: Double?
    /// Silence (no heartbeat, no span) after which an attempt is marked `unresponsive`; `nil` disables it.
    public var unresponsiveSeconds: Double?
    /// Attempts allowed in total, the first one included.
    public var maxAttempts: Int
    /// Attempt outcomes that send the rollout back to the queue while attempts remain.
    public var retryOn: Set<AttemptStatus>

    public init(
        timeoutSeconds: Double? = nil,
        unresponsiveSeconds: Double? = 60,
        maxAttempts: Int = 3,
        retryOn: Set<AttemptStatus> = [.failed, .unresponsive, .timeout]
    ) {
        self.timeoutSeconds = timeoutSeconds
        self.unresponsiveSeconds = unresponsiveSeconds
        self.maxAttempts = maxAttempts
        self.retryOn = retryOn
    }

    /// Rejects limits that make no sense, with a message that names the field.
    public func validated() throws(LightningError) -> RolloutConfig {
        if let timeoutSeconds, !(timeoutSeconds > 0 && timeoutSeconds.isFinite) {
            throw LightningError(.badRequest, "config.timeout_seconds must be a positive number, got \(timeoutSeconds)")
        }
        if let unresponsiveSeconds, !(unresponsiveSeconds > 0 && unresponsiveSeconds.isFinite) {
            throw LightningError(.badRequest, "config.unresponsive_seconds must be a positive number, got \(unresponsiveSeconds)")
        }
        guard (1...100).contains(maxAttempts) else {
            throw LightningError(.badRequest, "config.max_attempts must be between 1 and 100, got \(maxAttempts)")
        }
        if let bad = retryOn.first(where: { !$0.isFailure }) {
            throw LightningError(.badRequest, "config.retry_on may hold failed, timeout and unresponsive, not \(bad.rawValue)")
        }
        return self
    }
}
