import Foundation
import LightningCore
import PostgresNIO

extension PostgresStore {
    /// Records that a worker is alive (and, with an attempt, what it works on).
    func touchWorker(_ workerID: String, attempt: AttemptRef?) async throws(LightningError) {
        _ = try await database.query(
            "heartbeat",
            try PostgresQuery(
                """
                INSERT INTO workers (worker_id, last_heartbeat_at, current_rollout_id, current_attempt_id)
                VALUES ($1, now(), NULLIF($2, ''), NULLIF($3, ''))
                ON CONFLICT (worker_id) DO UPDATE SET last_heartbeat_at = now(),
                    current_rollout_id = COALESCE(excluded.current_rollout_id, workers.current_rollout_id),
                    current_attempt_id = COALESCE(excluded.current_attempt_id, workers.current_attempt_id)
                """,
                workerID, attempt?.rolloutID ?? "", attempt?.attemptID ?? ""
            )
        )
    }

    public func listWorkers() async throws -> [Worker] {
        let rows = try await database.query(
            "list_workers",
            try PostgresQuery(
                """
                SELECT w.worker_id, w.last_heartbeat_at, w.current_rollout_id, w.current_attempt_id,
                       CASE WHEN w.last_heartbeat_at < now() - $1 * interval '1 second' THEN 'lost'
                            WHEN a.status IN ('preparing', 'running', 'unresponsive') THEN 'busy'
                            ELSE 'idle' END
                FROM workers w LEFT JOIN attempts a ON a.attempt_id = w.current_attempt_id
                ORDER BY w.worker_id
                """,
                options.workerLostSeconds
            )
        )
        return try decode("list_workers") {
            try rows.map { row in
                var reader = RowReader(row)
                let id: String = try reader.next()
                let heartbeat: Date = try reader.next()
                let rolloutID: String? = try reader.next()
                let attemptID: String? = try reader.next()
                let status: String = try reader.next()
                let busy = status == "busy"
                return Worker(
                    workerID: id, status: Worker.Status(rawValue: status) ?? .idle, lastHeartbeatAt: heartbeat,
                    currentAttemptID: busy ? attemptID : nil, currentRolloutID: busy ? rolloutID : nil
                )
            }
        }
    }

    public func statistics() async throws -> StoreStatistics {
        let rows = try await database.query(
            "statistics",
            try PostgresQuery(
                """
                SELECT 'rollout', status, count(*) FROM rollouts GROUP BY status
                UNION ALL SELECT 'attempt', status, count(*) FROM attempts GROUP BY status
                UNION ALL SELECT 'job', status, count(*) FROM jobs GROUP BY status
                UNION ALL SELECT 'spans', '', count(*) FROM spans
                UNION ALL SELECT 'resources', '', count(*) FROM resources
                UNION ALL SELECT 'worker', CASE WHEN w.last_heartbeat_at < now() - $1 * interval '1 second' THEN 'lost'
                        WHEN a.status IN ('preparing', 'running', 'unresponsive') THEN 'busy' ELSE 'idle' END, count(*)
                    FROM workers w LEFT JOIN attempts a ON a.attempt_id = w.current_attempt_id GROUP BY 2
                """,
                options.workerLostSeconds
            )
        )
        var statistics = StoreStatistics()
        try decode("statistics") {
            for row in rows {
                let (kind, key, count) = try row.decode((String, String, Int).self)
                switch kind {
                case "rollout": statistics.rolloutsByStatus[key] = count
                case "attempt": statistics.attemptsByStatus[key] = count
                case "job": statistics.jobsByStatus[key] = count
                case "worker": statistics.workersByStatus[key] = count
                case "spans": statistics.spans = count
                default: statistics.resources = count
                }
            }
        }
        return statistics
    }
}
