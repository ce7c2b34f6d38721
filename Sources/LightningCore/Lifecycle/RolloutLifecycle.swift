import Foundation

/// The part of a rollout that the lifecycle rules read.
public struct RolloutState: Sendable, Hashable {
    public var status: RolloutStatus
    public var config: RolloutConfig
    /// The sequence of the newest attempt, 0 when none was made.
    public var latestAttemptSequence: Int

    public init(status: RolloutStatus, config: RolloutConfig, latestAttemptSequence: Int) {
        self.status = status
        self.config = config
        self.latestAttemptSequence = latestAttemptSequence
    }
}

/// The part of an attempt that the lifecycle rules read.
public struct AttemptState: Sendable, Hashable {
    public var status: AttemptStatus
    public var sequence: Int
    public var lease: UInt64

    public init(status: AttemptStatus, sequence: Int, lease: UInt64) {
        self.status = status
        self.sequence = sequence
        self.lease = lease
    }
}

/// The result of applying an attempt status change: the statuses to write, and whether anything changed.
public struct LifecycleChange: Sendable, Hashable {
    public var attemptStatus: AttemptStatus
    public var rolloutStatus: RolloutStatus
    public var attemptChanged: Bool
    public var rolloutChanged: Bool

    public init(attemptStatus: AttemptStatus, rolloutStatus: RolloutStatus, attemptChanged: Bool, rolloutChanged: Bool) {
        self.attemptStatus = attemptStatus
        self.rolloutStatus = rolloutStatus
        self.attemptChanged = attemptChanged
        self.rolloutChanged = rolloutChanged
    }

    /// The rollout went back to the queue for another attempt.
    public var requeued: Bool { rolloutChanged && rolloutStatus == .requeuing }
}

/// The rules of rollout and attempt status, as pure functions. The store loads the rows under a lock,
/// asks these functions what to write, and writes it; the rules never touch a database.
public enum RolloutLifecycle {
    /// Whether an attempt may move from one status to another. Staying in a status is allowed (an
    /// idempotent repeat); terminal statuses never change.
    public static func canMove(attempt from: AttemptStatus, to: AttemptStatus) -> Bool {
        if from == to { return true }
        switch from {
        case .preparing: return to != .preparing
        case .running, .unresponsive: return to != .preparing
        case .succeeded, .failed, .timeout: return false
        }
    }

    /// The rollout status that follows from its latest attempt reaching `attemptStatus`.
    public static func rolloutStatus(after attemptStatus: AttemptStatus, sequence: Int, config: RolloutConfig) -> RolloutStatus {
        switch attemptStatus {
        case .preparing: return .preparing
        case .running: return .running
        case .succeeded: return .succeeded
        case .failed, .timeout, .unresponsive:
            let retry = config.retryOn.contains(attemptStatus) && sequence < config.maxAttempts
            return retry ? .requeuing : .failed
        }
    }

    /// Applies an attempt status change. Only the latest attempt moves the rollout, and a rollout in a
    /// terminal state never moves.
    public static func move(
        rollout: RolloutState, attempt: AttemptState, to newStatus: AttemptStatus
    ) throws(LightningError) -> LifecycleChange {
        guard canMove(attempt: attempt.status, to: newStatus) else {
            throw LightningError(
                .invalidTransition,
                "attempt \(attempt.sequence) cannot move from \(attempt.status.rawValue) to \(newStatus.rawValue)"
            )
        }
        let unchanged = LifecycleChange(attemptStatus: attempt.status, rolloutStatus: rollout.status, attemptChanged: false, rolloutChanged: false)
        if attempt.status == newStatus { return unchanged }

        var change = unchanged
        change.attemptStatus = newStatus
        change.attemptChanged = true
        let isLatest = attempt.sequence == rollout.latestAttemptSequence
        guard isLatest, !rollout.status.isTerminal else { return change }

        let next = rolloutStatus(after: newStatus, sequence: attempt.sequence, config: rollout.config)
        if next != rollout.status {
            change.rolloutStatus = next
            change.rolloutChanged = true
        }
        return change
    }

    /// Checks that a status-changing write comes from the current holder of the attempt.
    /// An attempt that was superseded by a newer one, or timed out, no longer holds its lease.
    public static func checkLease(presented: UInt64, attempt: AttemptState, latestAttemptSequence: Int) throws(LightningError) {
        guard presented == attempt.lease else {
            throw LightningError(.staleLease, "lease \(presented) does not hold attempt \(attempt.sequence)")
        }
        guard attempt.sequence == latestAttemptSequence else {
            throw LightningError(
                .staleLease,
                "attempt \(attempt.sequence) was superseded by attempt \(latestAttemptSequence); stop working on it"
            )
        }
        guard attempt.status != .timeout else {
            throw LightningError(.staleLease, "attempt \(attempt.sequence) timed out; stop working on it")
        }
    }

    /// Claims a queued rollout for a new attempt: the new attempt's sequence.
    public static func claim(_ rollout: RolloutState) throws(LightningError) -> Int {
        guard rollout.status.isQueued else {
            throw LightningError(.invalidTransition, "rollout is \(rollout.status.rawValue), not queued")
        }
        return rollout.latestAttemptSequence + 1
    }

    /// Cancels a rollout; its active latest attempt, if any, ends as failed.
    public static func cancel(
        rollout: RolloutState, latestAttempt: AttemptState?
    ) throws(LightningError) -> (rollout: RolloutStatus, attempt: AttemptStatus?) {
        if rollout.status == .cancelled { return (.cancelled, nil) }
        guard !rollout.status.isTerminal else {
            throw LightningError(.invalidTransition, "rollout already ended as \(rollout.status.rawValue)")
        }
        if let latestAttempt, !latestAttempt.status.isTerminal { return (.cancelled, .failed) }
        return (.cancelled, nil)
    }

    /// What the watchdog should do with an active attempt at time `now`: `timeout` once it ran longer
    /// than `timeout_seconds`, `unresponsive` once silent longer than `unresponsive_seconds`, else nothing.
    public static func watchdogVerdict(
        status: AttemptStatus, startedAt: Date, lastHeardAt: Date?, config: RolloutConfig, now: Date
    ) -> AttemptStatus? {
        guard !status.isTerminal else { return nil }
        if let limit = config.timeoutSeconds, now.timeIntervalSince(startedAt) > limit { return .timeout }
        if status != .unresponsive, let silence = config.unresponsiveSeconds,
            now.timeIntervalSince(lastHeardAt ?? startedAt) > silence
        {
            return .unresponsive
        }
        return nil
    }
}
