import Foundation
import LightningCore
import PostgresNIO

extension PostgresStore {
    /// Applies a batch of status changes in one transaction: lock the rollouts (in id order) and then
    /// the attempts, let `TransitionPlanner` decide, write what changed, and announce the changes.
    static func applyTransitions(
        _ requests: [TransitionRequest], database: Database, events: EventBus
    ) async throws(LightningError) -> [Result<TransitionOutcome, LightningError>] {
        let rolloutIDs = Array(Set(requests.map(\.rolloutID))).sorted()
        let attemptIDs = requests.compactMap(\.attemptID)
        let cancelled = requests.filter { $0.kind == .cancel }.map(\.rolloutID)
        let lockRollouts = try PostgresQuery(
            "SELECT \(Columns.rollout("r")), now() FROM rollouts r WHERE r.rollout_id = ANY($1) ORDER BY r.rollout_id FOR UPDATE",
            rolloutIDs
        )
        let lockAttempts = try PostgresQuery(
            """
            SELECT \(Columns.attempt("a")) FROM attempts a JOIN rollouts r ON r.rollout_id = a.rollout_id
            WHERE a.attempt_id = ANY($1) OR (a.rollout_id = ANY($2) AND a.sequence = r.attempt_count)
            ORDER BY a.attempt_id FOR UPDATE OF a
            """,
            attemptIDs, cancelled
        )
        let plan = try await database.transaction("update_attempt") { [logger = database.logger] connection in
            var rollouts: [String: Rollout] = [:]
            var now = Date()
            for row in try await connection.query(lockRollouts, logger: logger).collect() {
                var reader = RowReader(row)
                let rollout = try reader.rollout()
                rollouts[rollout.rolloutID] = rollout
                now = try reader.next(Date.self)
            }
            var attempts: [String: Attempt] = [:]
            for row in try await connection.query(lockAttempts, logger: logger).collect() {
                var reader = RowReader(row)
                let attempt = try reader.attempt()
                attempts[attempt.attemptID] = attempt
            }
            let plan = TransitionPlanner.plan(requests, rollouts: rollouts, attempts: attempts, now: now)
            if !plan.rollouts.isEmpty || !plan.attempts.isEmpty {
                try await connection.query(try writeQuery(plan), logger: logger)
            }
            return plan
        }
        events.publish(plan.changes.map { .rollout($0) })
        return plan.results
    }

    /// One statement that writes the changed rollouts and attempts and frees the workers of ended attempts.
    private static func writeQuery(_ plan: TransitionPlan) throws(LightningError) -> PostgresQuery {
        let none = Date(timeIntervalSince1970: 0)
        let rollouts = Array(plan.rollouts.values)
        let attempts = Array(plan.attempts.values)
        return try PostgresQuery(
            """
            WITH changed_rollouts AS (
                UPDATE rollouts r SET status = u.status, updated_at = u.updated_at, ended_at = NULLIF(u.ended_at, 'epoch')
                FROM UNNEST($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS u(rollout_id, status, updated_at, ended_at)
                WHERE r.rollout_id = u.rollout_id
            ),
            changed_attempts AS (
                UPDATE attempts a SET status = u.status, last_heartbeat_at = NULLIF(u.heartbeat, 'epoch'),
                    ended_at = NULLIF(u.ended_at, 'epoch'), error = NULLIF(u.error, '')
                FROM UNNEST($5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::text[])
                    AS u(attempt_id, status, heartbeat, ended_at, error)
                WHERE a.attempt_id = u.attempt_id
            )
            UPDATE workers SET current_attempt_id = NULL, current_rollout_id = NULL WHERE current_attempt_id = ANY($10)
            """,
            rollouts.map(\.rolloutID),
            rollouts.map(\.status.rawValue),
            rollouts.map(\.updatedAt),
            rollouts.map { $0.endedAt ?? none },
            attempts.map(\.attemptID),
            attempts.map(\.status.rawValue),
            attempts.map { $0.lastHeartbeatAt ?? none },
            attempts.map { $0.endedAt ?? none },
            attempts.map { $0.error ?? "" },
            attempts.filter(\.status.isTerminal).map(\.attemptID)
        )
    }

    /// Submits one transition to the batcher and returns its outcome.
    func transition(_ request: TransitionRequest) async throws(LightningError) -> TransitionOutcome {
        try await transitions.submit(request)
    }

    public func updateAttempt(_ attempt: AttemptRef, status: AttemptStatus, error: String?) async throws -> ClaimedRollout {
        if let error { try Validation.text(error, field: "error", maxBytes: 64 * 1024) }
        let outcome = try await transition(TransitionRequest(
            rolloutID: attempt.rolloutID, attemptID: attempt.attemptID, kind: .report(status, lease: attempt.lease, error: error)
        ))
        guard let updated = outcome.attempt else { throw LightningError(.internal, "update_attempt lost its attempt") }
        return ClaimedRollout(rollout: outcome.rollout, attempt: updated)
    }

    public func heartbeat(workerID: String, attempt: AttemptRef?) async throws -> HeartbeatResult {
        if !workerID.isEmpty {
            try Validation.identifier(workerID, field: "worker_id")
            try await touchWorker(workerID, attempt: attempt)
        }
        guard let attempt else { return HeartbeatResult(attemptStatus: nil, rolloutStatus: nil) }
        let outcome = try await transition(TransitionRequest(
            rolloutID: attempt.rolloutID, attemptID: attempt.attemptID, kind: .alive(lease: attempt.lease)
        ))
        return HeartbeatResult(attemptStatus: outcome.attempt?.status, rolloutStatus: outcome.rollout.status)
    }

    public func updateRollout(rolloutID: String, cancel: Bool, metadata: JSONText?) async throws -> Rollout {
        try Validation.identifier(rolloutID, field: "rollout_id")
        if let metadata {
            let rows = try await database.query(
                "update_rollout",
                try PostgresQuery("UPDATE rollouts SET metadata = $2::jsonb, updated_at = now() WHERE rollout_id = $1 RETURNING rollout_id", rolloutID, metadata.text)
            )
            if rows.isEmpty { throw LightningError.notFound("rollout", rolloutID) }
        }
        if cancel {
            return try await transition(TransitionRequest(rolloutID: rolloutID, attemptID: nil, kind: .cancel)).rollout
        }
        return try await getRollout(rolloutID: rolloutID).rollout
    }
}
