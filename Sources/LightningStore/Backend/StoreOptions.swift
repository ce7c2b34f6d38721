/// Tunables of the PostgreSQL store; every one has a `LIGHTNING_…` variable in `lightning-store`.
public struct StoreOptions: Sendable {
    /// A worker not heard from for this long is listed as `lost`.
    public var workerLostSeconds: Double = 60
    /// How often the watchdog looks for timed-out and unresponsive attempts.
    public var watchdogInterval: Duration = .seconds(1)
    /// The longest a dequeue may wait for a rollout.
    public var maxDequeueWaitSeconds: Double = 30
    /// The longest `wait_for_rollouts` may wait.
    public var maxWaitForRolloutsSeconds: Double = 60
    /// How often waiting dequeues and `wait_for_rollouts` look at the database even without an event
    /// (events from other replicas are best-effort).
    public var pollInterval: Duration = .seconds(1)
    /// Requests coalesced into one span write.
    public var spanBatchRequests: Int = 64
    /// Concurrent span writes (each on its own connection).
    public var spanWriters: Int = 2
    /// Concurrent status-change transactions.
    public var transitionWriters: Int = 2

    public init() {}
}
