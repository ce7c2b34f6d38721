import Foundation
import LightningCore
import PostgresNIO

/// One `add_spans` call's valid spans, ready for a batched write.
struct SpanWrite: Sendable {
    var spans: [Span]
    /// Per span: the primary reward it carries, or NaN.
    var rewards: [Double]
}

extension PostgresStore {
    public static let rewardSpanName = "lightning.reward"

    public func addSpans(_ spans: [Span]) async throws -> AddSpansResult {
        guard spans.count <= 100_000 else { throw LightningError(.badRequest, "at most 100000 spans per call") }
        var write = SpanWrite(spans: [], rewards: [])
        var rejected: [RejectedSpan] = []
        var positions: [Int] = []
        for (index, span) in spans.enumerated() {
            do throws(LightningError) {
                try span.validate()
                let reward = try Self.primaryReward(of: span)
                write.spans.append(span)
                write.rewards.append(reward ?? .nan)
                positions.append(index)
            } catch {
                rejected.append(RejectedSpan(index: index, error: error))
            }
        }
        guard !write.spans.isEmpty else { return AddSpansResult(stored: 0, duplicates: 0, rejected: rejected) }
        var result = try await spanWrites.submit(write)
        // The batch reports rejections by position among the valid spans; map them back.
        result.rejected = rejected + result.rejected.map { RejectedSpan(index: positions[$0.index], error: $0.error) }
        result.rejected.sort { $0.index < $1.index }
        return result
    }

    /// The value of a `lightning.reward` span named `primary` (the default name), if the span is one.
    static func primaryReward(of span: Span) throws(LightningError) -> Double? {
        guard span.name == rewardSpanName else { return nil }
        let attributes = try span.attributes.value()
        let name = attributes["lightning.reward.name"]?.stringValue ?? "primary"
        guard let value = attributes["lightning.reward.value"]?.doubleValue, value.isFinite else {
            throw LightningError(.badRequest, "a lightning.reward span needs a finite number in lightning.reward.value")
        }
        return name == "primary" ? value : nil
    }

    /// Writes the spans of many calls in one statement: unknown attempts are rejected, resent spans are
    /// skipped, attempts heard from get their heartbeat, and primary rewards land on their rollouts.
    /// Attempts that were preparing or unresponsive then move to running.
    static func writeSpans(
        _ writes: [SpanWrite], database: Database, transitions: Batcher<TransitionRequest, TransitionOutcome>
    ) async throws(LightningError) -> [Result<AddSpansResult, LightningError>] {
        let spans = writes.flatMap(\.spans)
        let rows = try await database.query("add_spans", try spanInsertQuery(spans, rewards: writes.flatMap(\.rewards)))
        var known: [String: (rolloutID: String, status: AttemptStatus)] = [:]
        var inserted = Set<SpanKey>()
        try decode("add_spans") {
            for row in rows {
                var reader = RowReader(row)
                let kind: String = try reader.next()
                let rolloutID: String = try reader.next()
                let attemptID: String = try reader.next()
                let value: String = try reader.next()
                if kind == "a" {
                    known[attemptID] = (rolloutID, AttemptStatus(rawValue: value) ?? .running)
                } else {
                    inserted.insert(SpanKey(rolloutID: rolloutID, attemptID: attemptID, spanID: value))
                }
            }
        }
        // Attempts heard from for the first time (or again, after silence) move to running.
        let revived = known.filter { $0.value.status == .preparing || $0.value.status == .unresponsive }
        for (attemptID, attempt) in revived.sorted(by: { $0.key < $1.key }) {
            _ = try? await transitions.submit(TransitionRequest(rolloutID: attempt.rolloutID, attemptID: attemptID, kind: .alive(lease: nil)))
        }
        return writes.map { write in
            var result = AddSpansResult(stored: 0, duplicates: 0, rejected: [])
            for (index, span) in write.spans.enumerated() {
                guard let attempt = known[span.attemptID], attempt.rolloutID == span.rolloutID else {
                    result.rejected.append(RejectedSpan(
                        index: index, error: .notFound("attempt", "\(span.attemptID) of rollout \(span.rolloutID)")
                    ))
                    continue
                }
                if inserted.remove(SpanKey(rolloutID: span.rolloutID, attemptID: span.attemptID, spanID: span.spanID)) != nil {
                    result.stored += 1
                } else {
                    result.duplicates += 1
                }
            }
            return .success(result)
        }
    }

    private struct SpanKey: Hashable {
        var rolloutID: String
        var attemptID: String
        var spanID: String
    }

    private static func spanInsertQuery(_ spans: [Span], rewards: [Double]) throws(LightningError) -> PostgresQuery {
        try PostgresQuery(
            """
            WITH input AS (
                SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                     $8::text[], $9::text[], $10::int8[], $11::int8[], $12::text[], $13::text[], $14::text[],
                                     $15::float8[])
                WITH ORDINALITY AS t(rollout_id, attempt_id, span_id, trace_id, parent_span_id, name, kind, status_code,
                                     status_message, start_ns, end_ns, attributes, events, resource, reward, ord)
            ),
            known AS (
                SELECT a.rollout_id, a.attempt_id, a.status, a.last_heartbeat_at FROM attempts a
                WHERE a.attempt_id IN (SELECT DISTINCT attempt_id FROM input)
                  AND a.rollout_id IN (SELECT DISTINCT rollout_id FROM input)
            ),
            heard AS (
                -- Spans are heartbeats; writing one per second per attempt is enough for the watchdog.
                UPDATE attempts a SET last_heartbeat_at = now() FROM known k
                WHERE a.attempt_id = k.attempt_id AND k.status IN ('preparing', 'running', 'unresponsive')
                  AND (k.last_heartbeat_at IS NULL OR k.last_heartbeat_at < now() - interval '1 second')
            ),
            inserted AS (
                INSERT INTO spans (rollout_id, attempt_id, span_id, trace_id, parent_span_id, name, kind, status_code,
                                   status_message, start_time_unix_nano, end_time_unix_nano, attributes, events, resource)
                SELECT i.rollout_id, i.attempt_id, i.span_id, i.trace_id, NULLIF(i.parent_span_id, ''), i.name, i.kind,
                       i.status_code, i.status_message, i.start_ns, i.end_ns, i.attributes::jsonb, i.events::jsonb, i.resource::jsonb
                FROM input i JOIN known k ON k.attempt_id = i.attempt_id AND k.rollout_id = i.rollout_id
                ORDER BY i.ord
                ON CONFLICT (rollout_id, attempt_id, span_id) DO NOTHING
                RETURNING rollout_id, attempt_id, span_id
            ),
            rewarded AS (
                UPDATE rollouts r SET final_reward = x.reward, updated_at = now()
                FROM (
                    SELECT DISTINCT ON (i.rollout_id) i.rollout_id, i.reward
                    FROM input i JOIN inserted s ON s.rollout_id = i.rollout_id AND s.attempt_id = i.attempt_id AND s.span_id = i.span_id
                    WHERE i.reward <> 'NaN'
                    ORDER BY i.rollout_id, i.ord DESC
                ) x
                WHERE r.rollout_id = x.rollout_id
            )
            SELECT 'a', rollout_id, attempt_id, status FROM known
            UNION ALL
            SELECT 's', rollout_id, attempt_id, span_id FROM inserted
            """,
            spans.map(\.rolloutID),
            spans.map(\.attemptID),
            spans.map(\.spanID),
            spans.map(\.traceID),
            spans.map { $0.parentSpanID ?? "" },
            spans.map(\.name),
            spans.map(\.kind.rawValue),
            spans.map(\.statusCode.rawValue),
            spans.map(\.statusMessage),
            spans.map { Int64($0.startTimeUnixNano) },
            spans.map { Int64($0.endTimeUnixNano) },
            spans.map(\.attributes.text),
            spans.map(\.events.text),
            spans.map(\.resource.text),
            rewards
        )
    }
}
