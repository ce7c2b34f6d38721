import Foundation
import LightningCore
import PostgresNIO

/// A worker's request for a rollout, as the claim statement takes it.
struct ClaimRequest: Sendable {
    var workerID: String
    var attemptID = Identifier.attempt()
    var lease = Identifier.random64() | 1

    init(workerID: String) {
        self.workerID = workerID
    }
}

enum Claims {
    /// Claims up to `requests.count` queued rollouts (oldest first, or exactly `rolloutIDs` when given),
    /// creates their attempts and records the workers, in one statement. `SKIP LOCKED` lets replicas
    /// claim side by side without ever handing out a rollout twice.
    static func query(_ requests: [ClaimRequest], rolloutIDs: [String]) throws(LightningError) -> PostgresQuery {
        try PostgresQuery(
            sql(filtered: true), Int64(requests.count), requests.map(\.workerID), requests.map(\.attemptID),
            requests.map { Int64(bitPattern: $0.lease) }, rolloutIDs
        )
    }

    /// The claim statement; `filtered` restricts it to the rollout ids in $5.
    static func sql(filtered: Bool) -> String {
        let filter = filtered ? "AND rollout_id = ANY($5)" : ""
        return """
            WITH picked AS (
                SELECT rollout_id, row_number() OVER (ORDER BY queue_order) AS n FROM (
                    SELECT rollout_id, queue_order FROM rollouts
                    WHERE status IN ('queuing', 'requeuing') \(filter)
                    ORDER BY queue_order LIMIT $1
                    FOR UPDATE SKIP LOCKED
                ) p
            ),
            requests AS (
                SELECT * FROM UNNEST($2::text[], $3::text[], $4::int8[]) WITH ORDINALITY AS t(worker_id, attempt_id, lease, n)
            ),
            claimed AS (
                -- The ANY clause repeats the join for the planner: a cached generic plan cannot see $1 and
                -- guesses a tenth of the queue for `picked`, then hashes all of rollouts; an array of ids
                -- counts as a few rows, so the update goes through the primary key (measured: 11.5 ms a
                -- claim against 0.65 with 12,000 queued rollouts).
                UPDATE rollouts r SET status = 'preparing', attempt_count = r.attempt_count + 1, updated_at = now(), version = r.version + 1
                FROM picked p WHERE r.rollout_id = p.rollout_id AND r.rollout_id = ANY (ARRAY(SELECT rollout_id FROM picked))
                RETURNING r.*, p.n
            ),
            created AS (
                INSERT INTO attempts (attempt_id, rollout_id, sequence, worker_id, status, lease, started_at)
                SELECT q.attempt_id, c.rollout_id, c.attempt_count, NULLIF(q.worker_id, ''), 'preparing', q.lease, now()
                FROM claimed c JOIN requests q ON q.n = c.n
                RETURNING *
            ),
            busy AS (
                INSERT INTO workers (worker_id, last_heartbeat_at, current_rollout_id, current_attempt_id)
                SELECT DISTINCT ON (worker_id) worker_id, now(), rollout_id, attempt_id FROM created
                WHERE worker_id IS NOT NULL ORDER BY worker_id, sequence
                ON CONFLICT (worker_id) DO UPDATE SET last_heartbeat_at = now(),
                    current_rollout_id = excluded.current_rollout_id, current_attempt_id = excluded.current_attempt_id
            )
            SELECT \(Columns.rollout("c")), \(Columns.attempt("a")), c.n
            FROM claimed c JOIN created a ON a.rollout_id = c.rollout_id ORDER BY c.n
            """
    }

    /// Reads the rows of the claim statement: the n-th claimed rollout goes to the n-th request.
    static func read(_ rows: [PostgresRow]) throws(LightningError) -> [ClaimedRollout] {
        try decode("dequeue_rollout") {
            try rows.map { row in
                var reader = RowReader(row)
                let rollout = try reader.rollout()
                let attempt = try reader.attempt()
                return ClaimedRollout(rollout: rollout, attempt: attempt)
            }
        }
    }
}

/// Claims the oldest queued rollouts for waiting workers; see `Claims`.
struct ClaimStatement: PreparedStatement {
    static let sql = Claims.sql(filtered: false)
    let bindings: PostgresBindings

    init(_ requests: [ClaimRequest]) throws(LightningError) {
        bindings = try Self.bind(
            Int64(requests.count), requests.map(\.workerID), requests.map(\.attemptID), requests.map { Int64(bitPattern: $0.lease) }
        )
    }
}

extension PostgresStore {
    public func dequeueRollout(workerID: String, waitSeconds: Double) async throws -> ClaimedRollout? {
        if !workerID.isEmpty { try Validation.identifier(workerID, field: "worker_id") }
        guard waitSeconds.isFinite, waitSeconds >= 0 else { throw LightningError(.badRequest, "wait_seconds must be zero or more") }
        let wait = min(waitSeconds, options.maxDequeueWaitSeconds)
        return try await dispatcher.dequeue(workerID: workerID, wait: .milliseconds(Int64(wait * 1000)))
    }

    public func startRollout(_ submission: RolloutSubmission, workerID: String) async throws -> ClaimedRollout {
        if !workerID.isEmpty { try Validation.identifier(workerID, field: "worker_id") }
        var submission = submission
        let rolloutID = submission.rolloutID ?? Identifier.rollout()
        submission.rolloutID = rolloutID
        let insert = try PostgresStore.insertRolloutsQuery([submission])
        let claim = try Claims.query([ClaimRequest(workerID: workerID)], rolloutIDs: [rolloutID])
        let claimed = try await database.transaction("start_rollout") { [logger] connection in
            _ = try await connection.query(insert, logger: logger).collect()
            return try await connection.query(claim, logger: logger).collect()
        }
        if let first = try Claims.read(claimed).first {
            events.publish([.rollout(RolloutChange(
                rolloutID: rolloutID, jobID: first.rollout.jobID, status: .preparing, finalReward: nil, mode: first.rollout.mode
            ))])
            return first
        }
        // The rollout existed already (a retried call): give back its latest attempt.
        let detail = try await getRollout(rolloutID: rolloutID)
        guard let latest = detail.attempts.last else {
            throw LightningError(.conflict, "rollout \(rolloutID) exists and is \(detail.rollout.status.rawValue), not startable")
        }
        return ClaimedRollout(rollout: detail.rollout, attempt: latest)
    }
}
