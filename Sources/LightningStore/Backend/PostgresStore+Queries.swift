import Foundation
import LightningCore
import PostgresNIO

extension PostgresStore {
    public func queryRollouts(_ query: RolloutQuery) async throws -> RolloutPage {
        guard (0...10_000).contains(query.limit), query.offset >= 0 else {
            throw LightningError(.badRequest, "limit must be between 0 and 10000 and offset not negative")
        }
        if let jobID = query.jobID { try Validation.identifier(jobID, field: "job_id") }
        for id in query.rolloutIDs { try Validation.identifier(id, field: "rollout_ids") }
        if let groupKey = query.groupKey { try Validation.text(groupKey, field: "group_key", maxBytes: 1024) }
        let filter = """
            ($1::text[] = '{}' OR r.status = ANY($1)) AND ($2 = '' OR r.job_id = $2) AND ($3 = '' OR r.mode = $3)
            AND ($4::text[] = '{}' OR r.rollout_id = ANY($4)) AND ($5 = '' OR r.group_key = $5)
            """
        let order = query.oldestFirst ? "ASC" : "DESC"
        let statement = try PostgresQuery(
            """
            SELECT \(Columns.rollout("r")), count(*) OVER () FROM rollouts r WHERE \(filter)
            ORDER BY r.created_at \(order), r.queue_order \(order) LIMIT $6 OFFSET $7
            """,
            query.statuses.map(\.rawValue), query.jobID ?? "", query.mode?.rawValue ?? "", query.rolloutIDs,
            query.groupKey ?? "", Int64(query.limit == 0 ? 100 : query.limit), Int64(query.offset)
        )
        let rows = try await database.query("query_rollouts", statement)
        var total = 0
        let rollouts = try decode("query_rollouts") {
            try rows.map { row in
                var reader = RowReader(row)
                let rollout = try reader.rollout()
                total = try reader.next(Int.self)
                return rollout
            }
        }
        if rollouts.isEmpty, query.offset > 0 {
            let count = try await database.query("query_rollouts", try PostgresQuery("SELECT count(*) FROM rollouts r WHERE \(filter)",
                query.statuses.map(\.rawValue), query.jobID ?? "", query.mode?.rawValue ?? "", query.rolloutIDs, query.groupKey ?? ""))
            total = try decode("query_rollouts") { try count.first?.decode(Int.self) ?? 0 }
        }
        return RolloutPage(rollouts: rollouts, total: total)
    }

    public func getRollout(rolloutID: String) async throws -> RolloutDetail {
        try Validation.identifier(rolloutID, field: "rollout_id")
        let rows = try await database.query(
            "get_rollout",
            try PostgresQuery(
                """
                SELECT \(Columns.rollout("r")), \(Columns.attempt("a"))
                FROM rollouts r LEFT JOIN attempts a ON a.rollout_id = r.rollout_id
                WHERE r.rollout_id = $1 ORDER BY a.sequence
                """,
                rolloutID
            )
        )
        return try decode("get_rollout") {
            guard let first = rows.first else { throw LightningError.notFound("rollout", rolloutID) }
            var reader = RowReader(first)
            let rollout = try reader.rollout()
            let attempts: [Attempt] = try rows.compactMap { row in
                var reader = RowReader(row, from: Columns.rolloutCount)
                return reader.nextIsNull ? nil : try reader.attempt()
            }
            return RolloutDetail(rollout: rollout, attempts: attempts)
        }
    }

    public func querySpans(_ query: SpanQuery) async throws -> [Span] {
        try Validation.identifier(query.rolloutID, field: "rollout_id")
        guard (0...10_000).contains(query.limit) else { throw LightningError(.badRequest, "limit must be between 0 and 10000") }
        let attemptFilter: String
        var attemptID = ""
        switch query.attempt {
        case .all: attemptFilter = "TRUE"
        case .latest: attemptFilter = "s.attempt_id = (SELECT attempt_id FROM attempts a JOIN rollouts r USING (rollout_id) WHERE a.rollout_id = $1 AND a.sequence = r.attempt_count)"
        case .id(let id):
            try Validation.identifier(id, field: "attempt_id")
            attemptFilter = "s.attempt_id = $5"
            attemptID = id
        }
        let statement = try PostgresQuery(
            """
            SELECT \(Columns.span("s")) FROM spans s
            WHERE s.rollout_id = $1 AND s.sequence > $2 AND ($3 = '' OR s.name = $3) AND \(attemptFilter)
            ORDER BY s.sequence LIMIT $4
            """,
            query.rolloutID, query.afterSequence, query.name ?? "", Int64(query.limit == 0 ? 1000 : query.limit), attemptID
        )
        let rows = try await database.query("query_spans", statement)
        let spans = try decode("query_spans") { try rows.map { row in var reader = RowReader(row); return try reader.span() } }
        if spans.isEmpty {
            // Distinguish "no spans yet" from "no such rollout".
            let exists = try await database.query("query_spans", try PostgresQuery("SELECT 1 FROM rollouts WHERE rollout_id = $1", query.rolloutID))
            if exists.isEmpty { throw LightningError.notFound("rollout", query.rolloutID) }
        }
        return spans
    }

    public func waitForRollouts(rolloutIDs: [String], timeoutSeconds: Double) async throws -> [Rollout] {
        guard rolloutIDs.count <= 10_000 else { throw LightningError(.badRequest, "at most 10000 rollouts per call") }
        for id in rolloutIDs { try Validation.identifier(id, field: "rollout_ids") }
        guard timeoutSeconds.isFinite, timeoutSeconds >= 0 else { throw LightningError(.badRequest, "timeout_seconds must be zero or more") }
        let timeout = min(timeoutSeconds, options.maxWaitForRolloutsSeconds)
        return try await waiters.wait(for: rolloutIDs, timeout: .milliseconds(Int64(timeout * 1000)))
    }

    /// The rollouts among `ids` that have ended.
    static func endedRollouts(_ ids: [String], database: Database) async throws(LightningError) -> [Rollout] {
        let rows = try await database.query(
            "wait_for_rollouts",
            try PostgresQuery(
                "SELECT \(Columns.rollout("r")) FROM rollouts r WHERE r.rollout_id = ANY($1) AND r.status IN ('succeeded', 'failed', 'cancelled')",
                ids
            )
        )
        return try decode("wait_for_rollouts") { try rows.map { row in var reader = RowReader(row); return try reader.rollout() } }
    }
}
