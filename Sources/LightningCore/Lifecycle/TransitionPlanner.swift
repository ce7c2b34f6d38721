import Foundation

/// Why an attempt's status may change.
public enum TransitionKind: Sendable, Hashable {
    /// The worker reports a status for its attempt; the lease must hold.
    case report(AttemptStatus, lease: UInt64, error: String?)
    /// The attempt was heard from (a heartbeat, a span): a preparing or unresponsive attempt becomes
    /// running. A heartbeat carries the lease; a span does not.
    case alive(lease: UInt64?)
    /// The watchdog suspects a timeout or silence; the verdict is taken again on the locked rows.
    case watchdog
    /// The rollout is cancelled; `attemptID` is ignored and the latest attempt ends.
    case cancel
}

public struct TransitionRequest: Sendable, Hashable {
    public var rolloutID: String
    public var attemptID: String?
    public var kind: TransitionKind

    public init(rolloutID: String, attemptID: String?, kind: TransitionKind) {
        self.rolloutID = rolloutID
        self.attemptID = attemptID
        self.kind = kind
    }
}

/// A rollout and (for attempt transitions) the attempt, as they are after a request was applied.
public struct TransitionOutcome: Sendable, Hashable {
    public var rollout: Rollout
    public var attempt: Attempt?
}

/// What to write for a batch of transition requests, and what to answer each request.
public struct TransitionPlan: Sendable {
    public var results: [Result<TransitionOutcome, LightningError>] = []
    /// Rollouts whose row changed, in their final state.
    public var rollouts: [String: Rollout] = [:]
    /// Attempts whose row changed, in their final state.
    public var attempts: [String: Attempt] = [:]
    /// Rollout status changes, in the order they happened.
    public var changes: [RolloutChange] = []

    /// Whether the plan writes the rollout or one of its attempts.
    public func touched(_ rolloutID: String) -> Bool {
        rollouts[rolloutID] != nil || attempts.values.contains { $0.rolloutID == rolloutID }
    }
}

/// Applies transition requests to rows loaded (and locked) by the store, in request order, using the
/// rules of `RolloutLifecycle`. Pure: the store writes what the plan says.
public enum TransitionPlanner {
    /// - Parameters:
    ///   - attempts: by attempt id; must hold each requested attempt and the latest attempt of each
    ///     rollout that is cancelled.
    ///   - now: the database's clock, so that replicas on different machines agree.
    public static func plan(
        _ requests: [TransitionRequest], rollouts: [String: Rollout], attempts: [String: Attempt], now: Date
    ) -> TransitionPlan {
        var plan = TransitionPlan()
        var rollouts = rollouts
        var attempts = attempts
        for request in requests {
            let result = Result { () throws(LightningError) -> TransitionOutcome in
                guard var rollout = rollouts[request.rolloutID] else { throw LightningError.notFound("rollout", request.rolloutID) }
                let before = rollout.status
                var attempt: Attempt?
                if request.kind == .cancel {
                    let latest = attempts.values.first { $0.rolloutID == rollout.rolloutID && $0.sequence == rollout.attemptCount }
                    let (rolloutStatus, attemptStatus) = try RolloutLifecycle.cancel(
                        rollout: state(of: rollout), latestAttempt: latest.map(state(of:))
                    )
                    rollout.status = rolloutStatus
                    if var latest, let attemptStatus {
                        end(&latest, as: attemptStatus, error: "the rollout was cancelled", now: now)
                        attempt = latest
                    }
                } else {
                    guard let attemptID = request.attemptID, var current = attempts[attemptID], current.rolloutID == rollout.rolloutID else {
                        throw LightningError.notFound("attempt", "\(request.attemptID ?? "(none)") of rollout \(request.rolloutID)")
                    }
                    try apply(request.kind, to: &current, rollout: &rollout, now: now)
                    attempt = current
                }
                if rollout.status != before {
                    rollout.updatedAt = now
                    if rollout.status.isTerminal { rollout.endedAt = now }
                    plan.changes.append(RolloutChange(
                        rolloutID: rollout.rolloutID, jobID: rollout.jobID, status: rollout.status,
                        finalReward: rollout.finalReward, mode: rollout.mode
                    ))
                }
                if rollout != rollouts[rollout.rolloutID] {
                    rollouts[rollout.rolloutID] = rollout
                    plan.rollouts[rollout.rolloutID] = rollout
                }
                if let attempt, attempt != attempts[attempt.attemptID] {
                    attempts[attempt.attemptID] = attempt
                    plan.attempts[attempt.attemptID] = attempt
                }
                return TransitionOutcome(rollout: rollout, attempt: attempt)
            }
            plan.results.append(result)
        }
        return plan
    }

    private static func apply(_ kind: TransitionKind, to attempt: inout Attempt, rollout: inout Rollout, now: Date) throws(LightningError) {
        switch kind {
        case .report(let status, let lease, let error):
            try RolloutLifecycle.checkLease(presented: lease, attempt: state(of: attempt), latestAttemptSequence: rollout.attemptCount)
            try move(&attempt, rollout: &rollout, to: status, error: error, now: now)
        case .alive(let lease):
            if let lease {
                try RolloutLifecycle.checkLease(presented: lease, attempt: state(of: attempt), latestAttemptSequence: rollout.attemptCount)
            }
            guard !attempt.status.isTerminal else { return }
            attempt.lastHeartbeatAt = now
            if attempt.status == .preparing || attempt.status == .unresponsive {
                try move(&attempt, rollout: &rollout, to: .running, error: nil, now: now)
            }
        case .watchdog:
            guard let verdict = RolloutLifecycle.watchdogVerdict(
                status: attempt.status, startedAt: attempt.startedAt, lastHeardAt: attempt.lastHeartbeatAt,
                config: rollout.config, now: now
            ) else { return }
            let reason = verdict == .timeout
                ? "ran longer than \(rollout.config.timeoutSeconds ?? 0) s"
                : "no heartbeat or span for \(rollout.config.unresponsiveSeconds ?? 0) s"
            try move(&attempt, rollout: &rollout, to: verdict, error: reason, now: now)
        case .cancel:
            break
        }
    }

    private static func move(_ attempt: inout Attempt, rollout: inout Rollout, to status: AttemptStatus, error: String?, now: Date) throws(LightningError) {
        let change = try RolloutLifecycle.move(rollout: state(of: rollout), attempt: state(of: attempt), to: status)
        guard change.attemptChanged else { return }
        if status.isTerminal {
            end(&attempt, as: status, error: error, now: now)
        } else {
            attempt.status = status
            if status == .unresponsive, let error { attempt.error = error }
            if status == .running { attempt.error = nil }
        }
        rollout.status = change.rolloutStatus
    }

    private static func end(_ attempt: inout Attempt, as status: AttemptStatus, error: String?, now: Date) {
        attempt.status = status
        attempt.endedAt = now
        if let error, !error.isEmpty { attempt.error = error }
    }

    static func state(of rollout: Rollout) -> RolloutState {
        RolloutState(status: rollout.status, config: rollout.config, latestAttemptSequence: rollout.attemptCount)
    }

    static func state(of attempt: Attempt) -> AttemptState {
        AttemptState(status: attempt.status, sequence: attempt.sequence, lease: attempt.lease)
    }
}
