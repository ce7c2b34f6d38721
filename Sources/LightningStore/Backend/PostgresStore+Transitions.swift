import Foundation
import LightningCore
import PostgresNIO

extension PostgresStore {
    /// Applies a batch of status changes without holding locks across round trips: read the rows with
    /// their versions, let `TransitionPlanner` decide, then write with a compare-and-swap that locks the
    /// rows (rollouts before attempts, each in id order) and applies a rollout's changes only if none of
    /// the rows its plan read has changed since. Requests on rows that did change are planned again.
    static func applyTransitions(
        _ requests: [TransitionRequest], database: Database, events: EventBus
    ) async throws(LightningError) -> [Result<TransitionOutcome, LightningError>] {
        var results = [Result<TransitionOutcome, LightningError>?](repeating: nil, count: requests.count)
        var pending = Array(requests.indices)
        for round in 1...8 where !pending.isEmpty {
            let batch = pending.map { requests[$0] }
            let snapshot = try await readForTransition(batch, database: database)
            let plan = TransitionPlanner.plan(batch, rollouts: snapshot.rollouts, attempts: snapshot.attempts, now: snapshot.now)
            let applied = try await compareAndSwap(plan, snapshot: snapshot, database: database)
            events.publish(plan.changes.filter { applied.contains($0.rolloutID) }.map { .rollout($0) })
            var retry: [Int] = []
            for (position, index) in pending.enumerated() {
                let rolloutID = requests[index].rolloutID
                if plan.touched(rolloutID) && !applied.contains(rolloutID) && round < 8 {
                    retry.append(index)
                } else if plan.touched(rolloutID) && !applied.contains(rolloutID) {
                    results[index] = .failure(LightningError(.unavailable, "rollout \(rolloutID) kept changing under concurrent writers; retry"))
                } else {
                    results[index] = plan.results[position]
                }
            }
            pending = retry
        }
        return results.map { $0 ?? .failure(LightningError(.internal, "a transition was not decided")) }
    }

    /// The rows a batch of transitions reads, with their versions, as of one moment.
    struct TransitionSnapshot: Sendable {
        var rollouts: [String: Rollout] = [:]
        var attempts: [String: Attempt] = [:]
        var rolloutVersions: [String: Int64] = [:]
        var attemptVersions: [String: Int64] = [:]
        var now = Date()
    }

    private static func readForTransition(_ requests: [TransitionRequest], database: Database) async throws(LightningError) -> TransitionSnapshot {
        let rows = try await database.execute("update_attempt", try TransitionReadStatement(requests))
        return try decode("update_attempt") {
            var snapshot = TransitionSnapshot()
            for row in rows {
                var reader = RowReader(row)
                let rollout = try reader.rollout()
                snapshot.rollouts[rollout.rolloutID] = rollout
                snapshot.rolloutVersions[rollout.rolloutID] = try reader.next(Int64.self)
                snapshot.now = try reader.next(Date.self)
                guard !reader.nextIsNull else { continue }
                let attempt = try reader.attempt()
                snapshot.attempts[attempt.attemptID] = attempt
                snapshot.attemptVersions[attempt.attemptID] = try reader.next(Int64.self)
            }
            return snapshot
        }
    }

    /// Writes the plan's changes for each rollout whose rows still have the versions that were read;
    /// returns the rollouts whose changes were applied.
    private static func compareAndSwap(
        _ plan: TransitionPlan, snapshot: TransitionSnapshot, database: Database
    ) async throws(LightningError) -> Set<String> {
        let groups = Set(plan.rollouts.keys).union(plan.attempts.values.map(\.rolloutID))
        guard !groups.isEmpty else { return [] }
        let readAttempts = snapshot.attempts.values.filter { groups.contains($0.rolloutID) }
        let none = Date(timeIntervalSince1970: 0)
        let rollouts = Array(plan.rollouts.values)
        let attempts = Array(plan.attempts.values)
        let ended = attempts.filter(\.status.isTerminal)
        let statement = try CompareAndSwapStatement(
            groups.sorted(), groups.sorted().map { snapshot.rolloutVersions[$0] ?? -1 },
            readAttempts.map(\.attemptID), readAttempts.map { snapshot.attemptVersions[$0.attemptID] ?? -1 },
            rollouts.map(\.rolloutID), rollouts.map(\.status.rawValue), rollouts.map(\.updatedAt), rollouts.map { $0.endedAt ?? none },
            attempts.map(\.attemptID), attempts.map(\.status.rawValue), attempts.map { $0.lastHeartbeatAt ?? none },
            attempts.map { $0.endedAt ?? none }, attempts.map { $0.error ?? "" },
            ended.map(\.attemptID), ended.compactMap(\.workerID)
        )
        let rows = try await database.execute("update_attempt", statement)
        return try decode("update_attempt") { Set(try rows.map { try $0.decode(String.self) }) }
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

/// Reads the rows a batch of transitions needs, with their versions: the rollouts, the named attempts,
/// and the latest attempt of rollouts being cancelled.
struct TransitionReadStatement: PreparedStatement {
    static let sql = """
            SELECT \(Columns.rollout("r")), r.version, now(), \(Columns.attempt("a")), a.version
            FROM rollouts r LEFT JOIN attempts a ON a.rollout_id = r.rollout_id
                AND (a.attempt_id = ANY($2) OR (r.rollout_id = ANY($3) AND a.sequence = r.attempt_count))
            WHERE r.rollout_id = ANY($1)
            """
    let bindings: PostgresBindings

    init(_ requests: [TransitionRequest]) throws(LightningError) {
        bindings = try Self.bind(
            Array(Set(requests.map(\.rolloutID))), requests.compactMap(\.attemptID),
            requests.filter { $0.kind == .cancel }.map(\.rolloutID)
        )
    }
}

/// Writes a transition plan for the rollouts whose rows still carry the versions that were read.
struct CompareAndSwapStatement: PreparedStatement {
    static let sql = """
            WITH locked_rollouts AS (
                SELECT r.rollout_id, r.version = e.version AS same
                FROM rollouts r JOIN UNNEST($1::text[], $2::int8[]) AS e(rollout_id, version) ON e.rollout_id = r.rollout_id
                ORDER BY r.rollout_id FOR UPDATE OF r
            ),
            locked_attempts AS (
                SELECT a.rollout_id, a.version = e.version AS same
                FROM attempts a JOIN UNNEST($3::text[], $4::int8[]) AS e(attempt_id, version) ON e.attempt_id = a.attempt_id
                ORDER BY a.attempt_id FOR UPDATE OF a
            ),
            good AS (
                SELECT rollout_id FROM locked_rollouts WHERE same
                EXCEPT SELECT rollout_id FROM locked_attempts WHERE NOT same
            ),
            changed_rollouts AS (
                UPDATE rollouts r SET status = u.status, updated_at = u.updated_at, ended_at = NULLIF(u.ended_at, 'epoch'),
                    version = r.version + 1
                FROM UNNEST($5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[]) AS u(rollout_id, status, updated_at, ended_at)
                WHERE r.rollout_id = u.rollout_id AND r.rollout_id IN (SELECT rollout_id FROM good)
            ),
            changed_attempts AS (
                UPDATE attempts a SET status = u.status, last_heartbeat_at = NULLIF(u.heartbeat, 'epoch'),
                    ended_at = NULLIF(u.ended_at, 'epoch'), error = NULLIF(u.error, ''), version = a.version + 1
                FROM UNNEST($9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::text[])
                    AS u(attempt_id, status, heartbeat, ended_at, error)
                WHERE a.attempt_id = u.attempt_id AND a.rollout_id IN (SELECT rollout_id FROM good)
            ),
            freed AS (
                -- By worker id ($15), through the primary key: the table keeps every worker ever seen.
                UPDATE workers SET current_attempt_id = NULL, current_rollout_id = NULL
                WHERE worker_id = ANY($15) AND current_attempt_id = ANY($14) AND current_rollout_id IN (SELECT rollout_id FROM good)
            )
            SELECT rollout_id FROM good
            """
    let bindings: PostgresBindings

    init(_ parameters: any PostgresThrowingDynamicTypeEncodable...) throws(LightningError) {
        bindings = try bindParameters(parameters)
    }
}
