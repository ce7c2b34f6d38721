import Foundation
import LightningCore

/// The `--json` shapes of the store's records: snake_case keys as on the wire, embedded JSON (task
/// input, attributes) as JSON rather than as text, times as ISO 8601.
protocol JSONViewable {
    var json: JSONValue { get }
}

extension JSONValue {
    /// Embedded JSON text as a value; text that does not parse stays a string.
    init(_ text: JSONText) {
        self = (try? text.value()) ?? .string(text.text)
    }

    init(_ date: Date?) {
        self = date.map { .string($0.formatted(.iso8601)) } ?? .null
    }

    init(_ string: String?) {
        self = string.map(JSONValue.string) ?? .null
    }

    /// JSON has no NaN or infinities: those become null.
    init(_ number: Double?) {
        self = number.flatMap { $0.isFinite ? .number($0) : nil } ?? .null
    }
}

extension Array where Element: JSONViewable {
    var json: JSONValue { .array(map(\.json)) }
}

extension Rollout: JSONViewable {
    var json: JSONValue {
        [
            "rollout_id": .string(rolloutID), "job_id": JSONValue(jobID), "input": JSONValue(input), "mode": .string(mode.rawValue),
            "group_key": JSONValue(groupKey), "resources_id": JSONValue(resourcesID), "status": .string(status.rawValue),
            "config": [
                "timeout_seconds": JSONValue(config.timeoutSeconds), "unresponsive_seconds": JSONValue(config.unresponsiveSeconds),
                "max_attempts": .number(Double(config.maxAttempts)), "retry_on": .array(config.retryOn.map(\.rawValue).sorted().map(JSONValue.string)),
            ],
            "metadata": JSONValue(metadata), "final_reward": JSONValue(finalReward), "created_at": JSONValue(createdAt),
            "updated_at": JSONValue(updatedAt), "ended_at": JSONValue(endedAt), "attempt_count": .number(Double(attemptCount)),
        ]
    }
}

extension Attempt: JSONViewable {
    var json: JSONValue {
        [
            "attempt_id": .string(attemptID), "rollout_id": .string(rolloutID), "sequence": .number(Double(sequence)),
            "worker_id": JSONValue(workerID), "status": .string(status.rawValue), "started_at": JSONValue(startedAt),
            "last_heartbeat_at": JSONValue(lastHeartbeatAt), "ended_at": JSONValue(endedAt), "error": JSONValue(error),
        ]
    }
}

extension Span: JSONViewable {
    var json: JSONValue {
        [
            "rollout_id": .string(rolloutID), "attempt_id": .string(attemptID), "sequence": .number(Double(sequence)),
            "trace_id": .string(traceID), "span_id": .string(spanID), "parent_span_id": JSONValue(parentSpanID), "name": .string(name),
            "kind": .string(kind.rawValue), "status_code": .string(statusCode.rawValue), "status_message": .string(statusMessage),
            "start_time_unix_nano": .number(Double(startTimeUnixNano)), "end_time_unix_nano": .number(Double(endTimeUnixNano)),
            "attributes": JSONValue(attributes), "events": JSONValue(events), "resource": JSONValue(resource),
        ]
    }

    /// Wall time of the span in seconds (0 when the end precedes the start).
    var durationSeconds: Double {
        endTimeUnixNano > startTimeUnixNano ? Double(endTimeUnixNano - startTimeUnixNano) / 1e9 : 0
    }
}

extension Job: JSONViewable {
    var json: JSONValue {
        [
            "job_id": .string(jobID), "algorithm": .string(algorithm), "config": JSONValue(config), "dataset": .string(dataset),
            "status": .string(status.rawValue), "current_step": .number(Double(currentStep)), "total_steps": .number(Double(totalSteps)),
            "model_version": .number(Double(modelVersion)), "owner": JSONValue(owner), "error": JSONValue(error),
            "created_at": JSONValue(createdAt), "updated_at": JSONValue(updatedAt),
        ]
    }
}

extension JobMetrics: JSONViewable {
    var json: JSONValue {
        ["step": .number(Double(step)), "values": .object(values.mapValues { JSONValue($0) }), "recorded_at": JSONValue(recordedAt)]
    }
}

extension Resources: JSONViewable {
    var json: JSONValue {
        [
            "resources_id": .string(resourcesID), "version": .number(Double(version)),
            "entries": .object(entries.mapValues(JSONValue.init)), "created_at": JSONValue(createdAt),
        ]
    }
}

extension Worker: JSONViewable {
    var json: JSONValue {
        [
            "worker_id": .string(workerID), "status": .string(status.rawValue), "last_heartbeat_at": JSONValue(lastHeartbeatAt),
            "current_attempt_id": JSONValue(currentAttemptID), "current_rollout_id": JSONValue(currentRolloutID),
        ]
    }
}
