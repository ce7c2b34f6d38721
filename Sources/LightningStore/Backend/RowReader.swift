import Foundation
import LightningCore
import PostgresNIO

/// Reads the columns of a row in order; the SQL column lists below and the readers stay side by side
/// so that they cannot drift apart.
struct RowReader {
    private let row: PostgresRandomAccessRow
    private var index: Int

    init(_ row: PostgresRow, from index: Int = 0) {
        self.row = row.makeRandomAccess()
        self.index = index
    }

    mutating func next<T: PostgresDecodable>(_ type: T.Type = T.self) throws -> T {
        defer { index += 1 }
        return try row[index].decode(T.self)
    }

    mutating func skip(_ count: Int) { index += count }

    /// Whether the next column is NULL (a LEFT JOIN that found nothing).
    var nextIsNull: Bool { row[index].bytes == nil }
}

enum Columns {
    /// How many columns `rollout(_:)` lists.
    static let rolloutCount = 17

    static func rollout(_ alias: String) -> String {
        let columns = [
            "rollout_id", "job_id", "input::text", "mode", "group_key", "resources_id", "status", "timeout_seconds",
            "unresponsive_seconds", "max_attempts", "retry_on", "metadata::text", "final_reward", "created_at",
            "updated_at", "ended_at", "attempt_count",
        ]
        return columns.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static func attempt(_ alias: String) -> String {
        let columns = [
            "attempt_id", "rollout_id", "sequence", "worker_id", "status", "lease", "started_at", "last_heartbeat_at",
            "ended_at", "error",
        ]
        return columns.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static func span(_ alias: String) -> String {
        let columns = [
            "rollout_id", "attempt_id", "sequence", "trace_id", "span_id", "parent_span_id", "name", "kind", "status_code",
            "status_message", "start_time_unix_nano", "end_time_unix_nano", "attributes::text", "events::text", "resource::text",
        ]
        return columns.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static func job(_ alias: String) -> String {
        let columns = [
            "job_id", "algorithm", "config::text", "dataset", "status", "current_step", "total_steps", "model_version",
            "owner", "error", "created_at", "updated_at",
        ]
        return columns.map { "\(alias).\($0)" }.joined(separator: ", ")
    }
}

extension RowReader {
    mutating func rollout() throws -> Rollout {
        let rolloutID: String = try next()
        let jobID: String? = try next()
        let input: String = try next()
        let mode: String = try next()
        let groupKey: String? = try next()
        let resourcesID: String? = try next()
        let status: String = try next()
        let timeout: Double? = try next()
        let silence: Double? = try next()
        let maxAttempts: Int = try next()
        let retryOn: [String] = try next()
        let metadata: String = try next()
        let reward: Double? = try next()
        let createdAt: Date = try next()
        let updatedAt: Date = try next()
        let endedAt: Date? = try next()
        let attemptCount: Int = try next()
        return Rollout(
            rolloutID: rolloutID, jobID: jobID, input: JSONText(unchecked: input), mode: RolloutMode(rawValue: mode) ?? .train,
            groupKey: groupKey, resourcesID: resourcesID, status: try Self.decodeStatus(RolloutStatus.self, status),
            config: RolloutConfig(
                timeoutSeconds: timeout, unresponsiveSeconds: silence, maxAttempts: maxAttempts,
                retryOn: Set(retryOn.compactMap(AttemptStatus.init(rawValue:)))
            ),
            metadata: JSONText(unchecked: metadata), finalReward: reward, createdAt: createdAt, updatedAt: updatedAt,
            endedAt: endedAt, attemptCount: attemptCount
        )
    }

    mutating func attempt() throws -> Attempt {
        let attemptID: String = try next()
        let rolloutID: String = try next()
        let sequence: Int = try next()
        let workerID: String? = try next()
        let status: String = try next()
        let lease: Int64 = try next()
        let startedAt: Date = try next()
        let heartbeat: Date? = try next()
        let endedAt: Date? = try next()
        let error: String? = try next()
        return Attempt(
            attemptID: attemptID, rolloutID: rolloutID, sequence: sequence, workerID: workerID,
            status: try Self.decodeStatus(AttemptStatus.self, status), lease: UInt64(bitPattern: lease),
            startedAt: startedAt, lastHeartbeatAt: heartbeat, endedAt: endedAt, error: error
        )
    }

    mutating func span() throws -> Span {
        let rolloutID: String = try next()
        let attemptID: String = try next()
        let sequence: Int64 = try next()
        let traceID: String = try next()
        let spanID: String = try next()
        let parent: String? = try next()
        let name: String = try next()
        let kind: String = try next()
        let statusCode: String = try next()
        let statusMessage: String = try next()
        let start: Int64 = try next()
        let end: Int64 = try next()
        let attributes: String = try next()
        let events: String = try next()
        let resource: String = try next()
        return Span(
            rolloutID: rolloutID, attemptID: attemptID, sequence: sequence, traceID: traceID, spanID: spanID,
            parentSpanID: parent, name: name, kind: SpanKind(rawValue: kind) ?? .unspecified,
            statusCode: SpanStatusCode(rawValue: statusCode) ?? .unset, statusMessage: statusMessage,
            startTimeUnixNano: UInt64(start), endTimeUnixNano: UInt64(end), attributes: JSONText(unchecked: attributes),
            events: JSONText(unchecked: events), resource: JSONText(unchecked: resource)
        )
    }

    mutating func job() throws -> Job {
        let jobID: String = try next()
        let algorithm: String = try next()
        let config: String = try next()
        let dataset: String = try next()
        let status: String = try next()
        let step: Int = try next()
        let total: Int = try next()
        let version: Int64 = try next()
        let owner: String? = try next()
        let error: String? = try next()
        let createdAt: Date = try next()
        let updatedAt: Date = try next()
        return Job(
            jobID: jobID, algorithm: algorithm, config: JSONText(unchecked: config), dataset: dataset,
            status: try Self.decodeStatus(JobStatus.self, status), currentStep: step, totalSteps: total,
            modelVersion: version, owner: owner, error: error, createdAt: createdAt, updatedAt: updatedAt
        )
    }

    static func decodeStatus<T: RawRepresentable>(_ type: T.Type, _ text: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else { throw LightningError(.internal, "unknown \(T.self) \(text) in the database") }
        return value
    }
}
