import Foundation

/// One try at running a rollout, by one worker.
public struct Attempt: Sendable, Hashable {
    public var attemptID: String
    public var rolloutID: String
    /// 1 for the first attempt of a rollout, 2 for its first retry, …
    public var sequence: Int
    public var workerID: String?
    public var status: AttemptStatus
    /// The fencing token: status changes must carry it, and it stops holding once the attempt is
    /// superseded or timed out.
    public var lease: UInt64
    public var startedAt: Date
    public var lastHeartbeatAt: Date?
    public var endedAt: Date?
    public var error: String?

    public init(
        attemptID: String, rolloutID: String, sequence: Int, workerID: String? = nil,
        status: AttemptStatus = .preparing, lease: UInt64 = 0, startedAt: Date = Date(),
        lastHeartbeatAt: Date? = nil, endedAt: Date? = nil, error: String? = nil
    ) {
        self.attemptID = attemptID
        self.rolloutID = rolloutID
        self.sequence = sequence
        self.workerID = workerID
        self.status = status
        self.lease = lease
        self.startedAt = startedAt
        self.lastHeartbeatAt = lastHeartbeatAt
        self.endedAt = endedAt
        self.error = error
    }
}

/// A rollout handed to a worker together with the attempt created for it.
public struct ClaimedRollout: Sendable, Hashable {
    public var rollout: Rollout
    public var attempt: Attempt

    public init(rollout: Rollout, attempt: Attempt) {
        self.rollout = rollout
        self.attempt = attempt
    }
}
