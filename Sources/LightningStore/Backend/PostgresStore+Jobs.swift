import Foundation
import LightningCore
import PostgresNIO

extension PostgresStore {
    public func createJob(_ spec: JobSpec) async throws -> Job {
        if let jobID = spec.jobID { try Validation.identifier(jobID, field: "job_id") }
        try Validation.identifier(spec.algorithm, field: "algorithm")
        try Validation.text(spec.dataset, field: "dataset", maxBytes: 4096)
        try Validation.json(spec.config, field: "config", opening: UInt8(ascii: "{"))
        guard spec.totalSteps >= 0, spec.totalSteps <= 1_000_000 else { throw LightningError(.badRequest, "total_steps must be between 0 and 1000000") }
        let id = spec.jobID ?? Identifier.job()
        let rows = try await database.query(
            "create_job",
            try PostgresQuery(
                """
                WITH inserted AS (
                    INSERT INTO jobs (job_id, algorithm, config, dataset, status, total_steps)
                    VALUES ($1, $2, $3::jsonb, $4, 'pending', $5) ON CONFLICT (job_id) DO NOTHING RETURNING *
                )
                SELECT \(Columns.job("j")), true FROM inserted j
                UNION ALL
                SELECT \(Columns.job("j")), false FROM jobs j WHERE j.job_id = $1 AND NOT EXISTS (SELECT 1 FROM inserted)
                """,
                id, spec.algorithm, spec.config.text, spec.dataset, Int32(spec.totalSteps)
            )
        )
        let (job, created) = try decode("create_job") { () -> (Job, Bool) in
            guard let row = rows.first else { throw LightningError(.internal, "create_job returned nothing") }
            var reader = RowReader(row)
            return (try reader.job(), try reader.next(Bool.self))
        }
        if created {
            events.publish([.job(jobID: job.jobID, status: job.status, currentStep: job.currentStep)])
        } else if job.algorithm != spec.algorithm || job.dataset != spec.dataset || job.totalSteps != spec.totalSteps {
            throw LightningError(.conflict, "job \(id) exists with a different algorithm, dataset or step count")
        }
        return job
    }

    public func updateJob(jobID: String, _ changes: JobChanges) async throws -> Job {
        try Validation.identifier(jobID, field: "job_id")
        if let owner = changes.owner { try Validation.text(owner, field: "owner", maxBytes: 256) }
        if let error = changes.error { try Validation.text(error, field: "error", maxBytes: 64 * 1024) }
        if let step = changes.currentStep, step < 0 { throw LightningError(.badRequest, "current_step must not be negative") }
        let rows = try await database.query(
            "update_job",
            try PostgresQuery(
                """
                WITH before AS (SELECT job_id, status FROM jobs WHERE job_id = $1),
                changed AS (
                    UPDATE jobs j SET status = COALESCE(NULLIF($2, ''), j.status),
                        current_step = COALESCE(NULLIF($3, -1), j.current_step),
                        model_version = COALESCE(NULLIF($4, -1), j.model_version),
                        owner = CASE WHEN $5 THEN NULLIF($6, '') ELSE j.owner END,
                        error = CASE WHEN $7 THEN NULLIF($8, '') ELSE j.error END,
                        updated_at = now()
                    FROM before b WHERE j.job_id = b.job_id AND b.status NOT IN ('succeeded', 'failed', 'cancelled')
                    RETURNING j.*
                )
                SELECT \(Columns.job("j")), true FROM changed j
                UNION ALL
                SELECT \(Columns.job("j")), false FROM jobs j WHERE j.job_id = $1 AND NOT EXISTS (SELECT 1 FROM changed)
                """,
                jobID, changes.status?.rawValue ?? "", Int32(changes.currentStep ?? -1), changes.modelVersion ?? -1,
                changes.owner != nil, changes.owner ?? "", changes.error != nil, changes.error ?? ""
            )
        )
        let (job, changed) = try decode("update_job") { () -> (Job, Bool) in
            guard let row = rows.first else { throw LightningError.notFound("job", jobID) }
            var reader = RowReader(row)
            return (try reader.job(), try reader.next(Bool.self))
        }
        guard changed else { throw LightningError(.invalidTransition, "job \(jobID) already ended as \(job.status.rawValue)") }
        events.publish([.job(jobID: job.jobID, status: job.status, currentStep: job.currentStep)])
        return job
    }

    public func recordJobMetrics(_ metrics: JobMetrics) async throws {
        try Validation.identifier(metrics.jobID, field: "job_id")
        guard metrics.step >= 0 else { throw LightningError(.badRequest, "step must not be negative") }
        for (name, value) in metrics.values {
            try Validation.text(name, field: "metric name", maxBytes: 256)
            guard value.isFinite else { throw LightningError(.badRequest, "metric \(name) is not a finite number") }
        }
        let rows = try await database.query(
            "record_job_metrics",
            try PostgresQuery(
                """
                INSERT INTO job_metrics (job_id, step, metrics)
                SELECT job_id, $2, $3::jsonb FROM jobs WHERE job_id = $1
                ON CONFLICT (job_id, step) DO UPDATE SET metrics = excluded.metrics, recorded_at = now()
                RETURNING step
                """,
                metrics.jobID, Int32(metrics.step), try JSONText(encoding: metrics.values).text
            )
        )
        if rows.isEmpty { throw LightningError.notFound("job", metrics.jobID) }
    }

    public func getJob(jobID: String, withMetrics: Bool) async throws -> JobDetail {
        try Validation.identifier(jobID, field: "job_id")
        let rows = try await database.query("get_job", try PostgresQuery("SELECT \(Columns.job("j")) FROM jobs j WHERE j.job_id = $1", jobID))
        let job = try decode("get_job") { () -> Job in
            guard let row = rows.first else { throw LightningError.notFound("job", jobID) }
            var reader = RowReader(row)
            return try reader.job()
        }
        guard withMetrics else { return JobDetail(job: job, metrics: []) }
        let metricRows = try await database.query(
            "get_job",
            try PostgresQuery("SELECT step, metrics::text, recorded_at FROM job_metrics WHERE job_id = $1 ORDER BY step", jobID)
        )
        let metrics = try decode("get_job") {
            try metricRows.map { row in
                let (step, text, recordedAt) = try row.decode((Int, String, Date).self)
                let values = try JSONText(unchecked: text).decode([String: Double].self)
                return JobMetrics(jobID: jobID, step: step, values: values, recordedAt: recordedAt)
            }
        }
        return JobDetail(job: job, metrics: metrics)
    }

    public func listJobs(statuses: [JobStatus], limit: Int) async throws -> [Job] {
        guard (0...10_000).contains(limit) else { throw LightningError(.badRequest, "limit must be between 0 and 10000") }
        let rows = try await database.query(
            "list_jobs",
            try PostgresQuery(
                "SELECT \(Columns.job("j")) FROM jobs j WHERE ($1::text[] = '{}' OR j.status = ANY($1)) ORDER BY j.created_at DESC LIMIT $2",
                statuses.map(\.rawValue), Int64(limit == 0 ? 100 : limit)
            )
        )
        return try decode("list_jobs") { try rows.map { row in var reader = RowReader(row); return try reader.job() } }
    }

    public func claimJob(owner: String) async throws -> Job? {
        try Validation.identifier(owner, field: "owner")
        let rows = try await database.query(
            "claim_job",
            try PostgresQuery(
                """
                WITH candidate AS (
                    SELECT job_id FROM jobs
                    WHERE (status = 'running' AND owner = $1) OR status = 'pending'
                    ORDER BY (status = 'running') DESC, created_at
                    LIMIT 1 FOR UPDATE SKIP LOCKED
                )
                UPDATE jobs j SET status = 'running', owner = $1, updated_at = now()
                FROM candidate c WHERE j.job_id = c.job_id
                RETURNING \(Columns.job("j"))
                """,
                owner
            )
        )
        guard let row = rows.first else { return nil }
        let job = try decode("claim_job") { var reader = RowReader(row); return try reader.job() }
        events.publish([.job(jobID: job.jobID, status: job.status, currentStep: job.currentStep)])
        return job
    }
}
