import Foundation
import LightningCore
import PostgresNIO

extension PostgresStore {
    public func enqueueRollouts(_ submissions: [RolloutSubmission]) async throws -> [Rollout] {
        guard !submissions.isEmpty else { return [] }
        guard submissions.count <= 10_000 else { throw LightningError(.badRequest, "at most 10000 rollouts per call") }
        let rollouts = try await insertRollouts(submissions)
        let created = rollouts.filter { $0.status == .queuing && $0.attemptCount == 0 }
        events.publish(created.map { .rollout(RolloutChange(rolloutID: $0.rolloutID, jobID: $0.jobID, status: .queuing, finalReward: nil, mode: $0.mode)) })
        return rollouts
    }

    /// Inserts rollouts (skipping ids that exist) and returns every submitted rollout in order.
    func insertRollouts(_ submissions: [RolloutSubmission]) async throws(LightningError) -> [Rollout] {
        let rows = try await database.query("enqueue_rollouts", try Self.insertRolloutsQuery(submissions))
        return try decode("enqueue_rollouts") { try rows.map { row in var reader = RowReader(row); return try reader.rollout() } }
    }

    /// The statement that inserts rollouts (skipping ids that exist) and returns every submitted rollout
    /// in order, the existing ones as they are.
    static func insertRolloutsQuery(_ submissions: [RolloutSubmission]) throws(LightningError) -> PostgresQuery {
        let ids = submissions.map { $0.rolloutID ?? Identifier.rollout() }
        let columns = Columns.rollout("r")
        let sql = """
            WITH input AS (
                SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                     $7::float8[], $8::float8[], $9::int4[], $10::text[], $11::text[])
                WITH ORDINALITY AS t(rollout_id, job_id, input, mode, group_key, resources_id,
                                     timeout_seconds, unresponsive_seconds, max_attempts, retry_on, metadata, ord)
            ),
            inserted AS (
                INSERT INTO rollouts (rollout_id, job_id, input, mode, group_key, resources_id, status,
                                      timeout_seconds, unresponsive_seconds, max_attempts, retry_on, metadata)
                SELECT rollout_id, NULLIF(job_id, ''), input::jsonb, mode, NULLIF(group_key, ''), NULLIF(resources_id, ''),
                       'queuing', NULLIF(timeout_seconds, 'NaN'), NULLIF(unresponsive_seconds, 'NaN'), max_attempts,
                       string_to_array(retry_on, ','), metadata::jsonb
                FROM input ORDER BY ord
                ON CONFLICT (rollout_id) DO NOTHING
                RETURNING *
            ),
            combined AS (
                SELECT * FROM inserted
                UNION ALL
                SELECT * FROM rollouts WHERE rollout_id = ANY($1) AND rollout_id NOT IN (SELECT rollout_id FROM inserted)
            )
            SELECT \(columns) FROM combined r JOIN input i USING (rollout_id) ORDER BY i.ord
            """
        return try PostgresQuery(
            sql,
            ids,
            submissions.map { $0.jobID ?? "" },
            submissions.map { $0.input.text },
            submissions.map { $0.mode.rawValue },
            submissions.map { $0.groupKey ?? "" },
            submissions.map { $0.resourcesID ?? "" },
            submissions.map { $0.config.timeoutSeconds ?? .nan },
            submissions.map { $0.config.unresponsiveSeconds ?? .nan },
            submissions.map { Int32($0.config.maxAttempts) },
            submissions.map { $0.config.retryOn.map(\.rawValue).sorted().joined(separator: ",") },
            submissions.map { $0.metadata.text }
        )
    }
}

/// Runs row decoding, turning a decoding failure into an `internal` error that names the operation.
func decode<T>(_ operation: String, _ body: () throws -> T) throws(LightningError) -> T {
    do {
        return try body()
    } catch let error as LightningError {
        throw error
    } catch {
        throw LightningError(.internal, "\(operation): cannot read a row: \(error)")
    }
}
