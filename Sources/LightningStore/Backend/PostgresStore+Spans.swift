import Foundation
import LightningCore
import PostgresNIO

/// One `add_spans` call's valid spans, ready for a batched write.
struct SpanWrite: Sendable {
    var spans: [Span]
    /// Per span: the primary reward it carries, or NaN.
    var rewards: [Double]
}

/// What a batched span write reports for one call: its counts, and the attempts it heard from that
/// were preparing or unresponsive (they move to running next).
struct SpanWriteResult: Sendable {
    var result: AddSpansResult
    var revive: [TransitionRequest]
}

extension PostgresStore {
    public func addSpans(_ spans: [Span]) async throws -> AddSpansResult {
        guard spans.count <= 100_000 else { throw LightningError(.badRequest, "at most 100000 spans per call") }
        var write = SpanWrite(spans: [], rewards: [])
        var rejected: [RejectedSpan] = []
        var positions: [Int] = []
        for (index, span) in spans.enumerated() {
            do throws(LightningError) {
                try span.validate()
                let reward = try PrimaryReward.value(of: span)
                write.spans.append(span)
                write.rewards.append(reward ?? .nan)
                positions.append(index)
            } catch {
                rejected.append(RejectedSpan(index: index, error: error))
            }
        }
        guard !write.spans.isEmpty else { return AddSpansResult(stored: 0, duplicates: 0, rejected: rejected) }
        let written = try await spanWrites.submit(write)
        // Outside the batch, so that span writers never wait on status changes.
        for request in written.revive {
            _ = try? await transition(request)
        }
        var result = written.result
        // The batch reports rejections by position among the valid spans; map them back.
        result.rejected = rejected + result.rejected.map { RejectedSpan(index: positions[$0.index], error: $0.error) }
        result.rejected.sort { $0.index < $1.index }
        return result
    }

    /// Writes the spans of many calls in one statement: unknown attempts are rejected, resent spans are
    /// skipped, attempts heard from get their heartbeat (and start running if they were preparing), and
    /// primary rewards land on their rollouts. Unresponsive attempts heard from are revived afterwards.
    static func writeSpans(
        _ writes: [SpanWrite], database: Database, events: EventBus
    ) async throws(LightningError) -> [Result<SpanWriteResult, LightningError>] {
        let spans = writes.flatMap(\.spans)
        let rows = try await database.execute("add_spans", try SpanInsertStatement(spans, rewards: writes.flatMap(\.rewards)))
        var known: [String: (rolloutID: String, status: AttemptStatus)] = [:]
        var insertedCount = -1
        var inserted = Set<SpanKey>()
        var started: [StoreEvent] = []
        try decode("add_spans") {
            for row in rows {
                var reader = RowReader(row)
                let kind: String = try reader.next()
                let rolloutID: String = try reader.next()
                let attemptID: String = try reader.next()
                let value: String = try reader.next()
                if kind == "a" {
                    known[attemptID] = (rolloutID, AttemptStatus(rawValue: value) ?? .running)
                } else if kind == "r" {
                    started.append(.rollout(RolloutChange(
                        rolloutID: rolloutID, jobID: attemptID.isEmpty ? nil : attemptID, status: .running, finalReward: nil,
                        mode: RolloutMode(rawValue: value) ?? .train
                    )))
                } else if kind == "n" {
                    insertedCount = Int(value) ?? -1
                } else if kind == "s" {
                    inserted.insert(SpanKey(rolloutID: rolloutID, attemptID: attemptID, spanID: value))
                }
            }
        }
        events.publish(started)
        let allInserted = insertedCount == spans.count
        return writes.map { write in
            var result = AddSpansResult(stored: 0, duplicates: 0, rejected: [])
            var revive: [String: TransitionRequest] = [:]
            for (index, span) in write.spans.enumerated() {
                guard let attempt = known[span.attemptID], attempt.rolloutID == span.rolloutID else {
                    result.rejected.append(RejectedSpan(
                        index: index, error: .notFound("attempt", "\(span.attemptID) of rollout \(span.rolloutID)")
                    ))
                    continue
                }
                // A span sent twice within the batch was inserted once, the first time (the insert keeps
                // input order): removing its key counts the first occurrence only.
                if allInserted || inserted.remove(SpanKey(rolloutID: span.rolloutID, attemptID: span.attemptID, spanID: span.spanID)) != nil {
                    result.stored += 1
                } else {
                    result.duplicates += 1
                }
                // Heard from again after silence: the attempt is revived through the lifecycle rules.
                if attempt.status == .unresponsive {
                    revive[span.attemptID] = TransitionRequest(rolloutID: span.rolloutID, attemptID: span.attemptID, kind: .alive(lease: nil))
                }
            }
            return .success(SpanWriteResult(result: result, revive: Array(revive.values)))
        }
    }

    private struct SpanKey: Hashable {
        var rolloutID: String
        var attemptID: String
        var spanID: String
    }
}

/// Writes a batch of spans; see `PostgresStore.writeSpans`.
struct SpanInsertStatement: PreparedStatement {
    static let sql = """
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
            locked AS (
                -- The rollouts of the attempts written for, locked first and in id order, as the
                -- transitions' compare-and-swap takes them: rollouts before attempts. Without it this write
                -- (attempts, then rollouts in hash order) and a transition deadlocked, each time costing a
                -- second of PostgreSQL's deadlock_timeout (138 times in one day of benchmark runs).
                -- `heard` and `changed_rollouts` wait for it through a one-time filter: the order in which
                -- PostgreSQL runs a statement's data-modifying parts is not promised.
                SELECT r.rollout_id FROM rollouts r WHERE r.rollout_id IN (SELECT rollout_id FROM known)
                ORDER BY r.rollout_id
                FOR UPDATE
            ),
            heard AS (
                -- Spans are heartbeats (written at most once a second per attempt, enough for the watchdog).
                -- The first sign of life also moves a preparing attempt to running, the rule of
                -- RolloutLifecycle applied here because it is the hot path; the conditions read the
                -- current row, so a concurrent change wins.
                UPDATE attempts a SET last_heartbeat_at = now(), version = a.version + 1,
                    status = CASE WHEN a.status = 'preparing' THEN 'running' ELSE a.status END
                FROM known k
                WHERE a.attempt_id = k.attempt_id AND a.status IN ('preparing', 'running', 'unresponsive')
                  AND (a.status = 'preparing' OR a.last_heartbeat_at IS NULL OR a.last_heartbeat_at < now() - interval '1 second')
                  AND (SELECT count(*) FROM locked) >= 0
                RETURNING a.rollout_id, a.sequence, k.status = 'preparing' AND a.status = 'running' AS started
            ),
            inserted AS (
                INSERT INTO spans (rollout_id, attempt_id, span_id, trace_id, parent_span_id, name, kind, status_code,
                                   status_message, start_time_unix_nano, end_time_unix_nano, attributes, events, resource)
                SELECT i.rollout_id, i.attempt_id, i.span_id, i.trace_id, NULLIF(i.parent_span_id, ''), i.name, i.kind,
                       i.status_code, i.status_message, i.start_ns, i.end_ns, i.attributes::json, i.events::json, i.resource::json
                FROM input i JOIN known k ON k.attempt_id = i.attempt_id AND k.rollout_id = i.rollout_id
                ORDER BY i.ord
                ON CONFLICT (rollout_id, attempt_id, span_id) DO NOTHING
                RETURNING rollout_id, attempt_id, span_id
            ),
            rewards AS (
                SELECT DISTINCT ON (i.rollout_id) i.rollout_id, i.reward
                FROM input i JOIN inserted s ON s.rollout_id = i.rollout_id AND s.attempt_id = i.attempt_id AND s.span_id = i.span_id
                WHERE i.reward <> 'NaN'
                ORDER BY i.rollout_id, i.ord DESC
            ),
            rollout_updates AS (
                SELECT COALESCE(h.rollout_id, w.rollout_id) AS rollout_id, h.sequence AS started_sequence, w.reward
                FROM (SELECT rollout_id, sequence FROM heard WHERE started) h FULL JOIN rewards w ON w.rollout_id = h.rollout_id
            ),
            changed_rollouts AS (
                -- A started latest attempt moves its preparing rollout to running; primary rewards land here too.
                UPDATE rollouts r SET
                    status = CASE WHEN u.started_sequence = r.attempt_count AND r.status = 'preparing' THEN 'running' ELSE r.status END,
                    version = r.version + CASE WHEN u.started_sequence = r.attempt_count AND r.status = 'preparing' THEN 1 ELSE 0 END,
                    final_reward = COALESCE(u.reward, r.final_reward), updated_at = now()
                FROM rollout_updates u WHERE r.rollout_id = u.rollout_id AND (SELECT count(*) FROM locked) >= 0
                RETURNING r.rollout_id, COALESCE(r.job_id, ''), r.mode, r.status = 'running' AND u.started_sequence = r.attempt_count AS started
            )
            SELECT 'a', rollout_id, attempt_id, status FROM known
            UNION ALL
            -- Usually every span is new: then only their number comes back. The keys come back only when
            -- some were not (resent, or of unknown attempts). A one-time filter, not an anti-join: the
            -- generic plan cannot see the arrays' lengths and looped over the inserted rows per input row.
            SELECT 'n', '', '', (SELECT count(*) FROM inserted)::text
            UNION ALL
            SELECT 's', rollout_id, attempt_id, span_id FROM inserted
            WHERE (SELECT count(*) FROM inserted) < (SELECT count(*) FROM input)
            UNION ALL
            SELECT 'r', c.rollout_id, c.coalesce, c.mode FROM changed_rollouts c WHERE c.started
            """

    let bindings: PostgresBindings

    init(_ spans: [Span], rewards: [Double]) throws(LightningError) {
        bindings = try Self.bind(
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
