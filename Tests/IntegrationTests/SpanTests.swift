import Foundation
import LightningClient
import LightningCore
import Testing

@Suite struct SpanTests {
    func claim(_ client: StoreClient, config: RolloutConfig = RolloutConfig()) async throws -> ClaimedRollout {
        _ = try await client.enqueueRollouts([submission(config: config)])
        return try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
    }

    @Test("spans are stored in order; a resent span is a no-op")
    func storeAndResend() async throws {
        try await withTestStore { store in
            let client = store.client
            let claimed = try await claim(client)
            let spans = (0..<5).map { index in span(claimed, name: "step-\(index)", attributes: #"{"i":\#(index)}"#) }
            let first = try await client.addSpans(spans)
            #expect(first.stored == 5 && first.duplicates == 0 && first.rejected.isEmpty)
            let again = try await client.addSpans(spans)
            #expect(again.stored == 0 && again.duplicates == 5)
            let stored = try await client.querySpans(SpanQuery(rolloutID: claimed.rollout.rolloutID))
            #expect(stored.map(\.name) == spans.map(\.name))
            #expect(Set(stored.map(\.sequence)).count == 5)
            #expect(stored.map(\.sequence) == stored.map(\.sequence).sorted())
            #expect(try stored[3].attributes.value()["i"]?.intValue == 3)
        }
    }

    @Test("span documents too large to stay inline are compressed with lz4")
    func largeDocumentsUseLZ4() async throws {
        try await withTestStore { store in
            let claimed = try await claim(store.client)
            // About 6 KB of repetitive JSON: PostgreSQL compresses a row's documents above about 2 KB.
            let large = "{" + (0..<200).map { #""key\#($0)":"value value value""# }.joined(separator: ",") + "}"
            let result = try await store.client.addSpans([span(claimed, name: "large", attributes: large)])
            #expect(result.stored == 1)
            let rows = try await store.database.rows("SELECT pg_column_compression(attributes) FROM spans WHERE name = 'large'")
            #expect(try rows.first?.decode(String?.self) == "lz4")
            let stored = try await store.client.querySpans(SpanQuery(rolloutID: claimed.rollout.rolloutID))
            #expect(stored.first?.attributes.text == large)
        }
    }

    @Test("a span write takes its rollout's lock before its attempt's, as status changes do, so the two cannot deadlock")
    func lockOrderMatchesTransitions() async throws {
        try await withTestStore { store in
            let claimed = try await claim(store.client)
            let rolloutID = claimed.rollout.rolloutID, attemptID = claimed.attempt.attemptID
            try await store.database.withConnection { connection in
                // This connection plays a status change: it holds the rollout, as the compare-and-swap does
                // before it locks the attempt.
                try await connection.query("BEGIN", logger: testLogger)
                var backend: Int32 = 0
                for try await row in try await connection.query("SELECT pg_backend_pid()", logger: testLogger) { backend = try row.decode(Int32.self) }
                let pid = backend
                // Rows are read to the end: a statement's error arrives with them.
                for try await _ in try await connection.query("SELECT 1 FROM rollouts WHERE rollout_id = \(rolloutID) FOR UPDATE", logger: testLogger) {}
                // The attempt's first span must move it to running, so the write needs both rows.
                async let written = store.client.addSpans([span(claimed, name: "first")])
                try await eventually(timeout: .seconds(10), "the span write waits for the rollout") {
                    let rows = try await store.database.rows(
                        "SELECT count(*) FROM pg_stat_activity WHERE \(pid) = ANY(pg_blocking_pids(pid))"
                    )
                    return try rows.first?.decode(Int64.self) == 1
                }
                // Waiting for the rollout, the write must not hold the attempt: otherwise a status change
                // holding the rollout and wanting the attempt deadlocks with it.
                var attemptFree = true
                do {
                    for try await _ in try await connection.query("SELECT 1 FROM attempts WHERE attempt_id = \(attemptID) FOR UPDATE NOWAIT", logger: testLogger) {}
                } catch {
                    attemptFree = false
                }
                #expect(attemptFree, "the span write locked the attempt before the rollout")
                try await connection.query(attemptFree ? "COMMIT" : "ROLLBACK", logger: testLogger)
                let result = try await written
                #expect(result.stored == 1 && result.rejected.isEmpty)
            }
            let attempt = try await store.client.getRollout(rolloutID: rolloutID).attempts.first
            #expect(attempt?.status == .running)
        }
    }

    @Test("a span repeated within one call, or in calls written in one batch, is stored once and counted once as stored")
    func repeatsWithinABatch() async throws {
        try await withTestStore { store in
            let client = store.client
            let claimed = try await claim(client)
            let old = span(claimed, name: "old")
            _ = try await client.addSpans([old])
            let repeated = span(claimed, name: "repeated")
            let one = try await client.addSpans([repeated, old, repeated, span(claimed, name: "new")])
            #expect(one.stored == 2 && one.duplicates == 2 && one.rejected.isEmpty)
            // Concurrent calls carrying the same new span share batches in the store: exactly one stores it.
            let shared = span(claimed, name: "shared")
            let results = try await withThrowingTaskGroup(of: AddSpansResult.self) { group in
                for _ in 0..<16 { group.addTask { try await client.addSpans([shared]) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.map(\.stored).reduce(0, +) == 1)
            #expect(results.map(\.duplicates).reduce(0, +) == 15)
            let stored = try await client.querySpans(SpanQuery(rolloutID: claimed.rollout.rolloutID))
            #expect(stored.map(\.name).sorted() == ["new", "old", "repeated", "shared"])
        }
    }

    @Test("the first span moves a preparing attempt to running")
    func spanIsHeartbeat() async throws {
        try await withTestStore { store in
            let claimed = try await claim(store.client)
            _ = try await store.client.addSpans([span(claimed)])
            let detail = try await store.client.getRollout(rolloutID: claimed.rollout.rolloutID)
            #expect(detail.rollout.status == .running)
            #expect(detail.attempts.first?.status == .running)
            #expect(detail.attempts.first?.lastHeartbeatAt != nil)
        }
    }

    @Test("a reward span sets the final reward; the last primary reward wins")
    func rewards() async throws {
        try await withTestStore { store in
            let client = store.client
            let claimed = try await claim(client)
            _ = try await client.addSpans([rewardSpan(claimed, value: 0.25)])
            _ = try await client.addSpans([
                span(claimed, name: "lightning.reward", attributes: #"{"lightning.reward.value":5,"lightning.reward.name":"format"}"#),
                rewardSpan(claimed, value: 0.75),
            ])
            #expect(try await client.getRollout(rolloutID: claimed.rollout.rolloutID).rollout.finalReward == 0.75)
            let result = try await client.addSpans([span(claimed, name: "lightning.reward", attributes: #"{"lightning.reward.value":"high"}"#)])
            #expect(result.rejected.map(\.error.code) == [.badRequest])
        }
    }

    @Test("invalid spans and spans of unknown attempts are rejected one by one; the rest are stored")
    func rejections() async throws {
        try await withTestStore { store in
            let client = store.client
            let claimed = try await claim(client)
            var unknown = span(claimed)
            unknown.attemptID = "at-unknown"
            var badJSON = span(claimed)
            badJSON = Span(
                rolloutID: badJSON.rolloutID, attemptID: badJSON.attemptID, traceID: badJSON.traceID, spanID: badJSON.spanID,
                name: "x", startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: JSONText(unchecked: #"{"a":"\u0000"}"#)
            )
            var badID = span(claimed)
            badID.spanID = "xyz"
            var nul = span(claimed)
            nul.name = "a\u{0}b"
            let result = try await client.addSpans([span(claimed), unknown, badJSON, badID, nul, span(claimed)])
            #expect(result.stored == 2)
            #expect(result.rejected.map(\.index) == [1, 2, 3, 4])
            #expect(result.rejected.map(\.error.code) == [.notFound, .badRequest, .badRequest, .badRequest])
        }
    }

    @Test("span sequence numbers are unique under concurrent writers")
    func concurrentSequences() async throws {
        try await withTestStore { store in
            let client = store.client
            let claimed = try await claim(client)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<16 {
                    group.addTask {
                        let spans = (0..<25).map { index in span(claimed, name: "w\(writer)-\(index)") }
                        let result = try await client.addSpans(spans)
                        #expect(result.stored == 25)
                    }
                }
                try await group.waitForAll()
            }
            let stored = try await client.querySpans(SpanQuery(rolloutID: claimed.rollout.rolloutID, limit: 10_000))
            #expect(stored.count == 400)
            #expect(Set(stored.map(\.sequence)).count == 400)
        }
    }

    @Test("span queries filter by attempt and name and page by sequence")
    func querySpans() async throws {
        try await withTestStore { store in
            let client = store.client
            let first = try await claim(client, config: RolloutConfig(maxAttempts: 2, retryOn: [.failed]))
            _ = try await client.addSpans([span(first, name: "a"), span(first, name: "b")])
            _ = try await client.updateAttempt(AttemptRef(first.attempt), status: .failed, error: nil)
            let second = try #require(try await client.dequeueRollout(workerID: "w2", waitSeconds: 0))
            _ = try await client.addSpans([span(second, name: "a")])
            let id = first.rollout.rolloutID
            #expect(try await client.querySpans(SpanQuery(rolloutID: id)).count == 3)
            #expect(try await client.querySpans(SpanQuery(rolloutID: id, attempt: .latest)).map(\.attemptID) == [second.attempt.attemptID])
            #expect(try await client.querySpans(SpanQuery(rolloutID: id, attempt: .id(first.attempt.attemptID))).count == 2)
            #expect(try await client.querySpans(SpanQuery(rolloutID: id, name: "a")).count == 2)
            let firstPage = try await client.querySpans(SpanQuery(rolloutID: id, limit: 2))
            let rest = try await client.querySpans(SpanQuery(rolloutID: id, afterSequence: firstPage.last!.sequence))
            #expect(firstPage.count == 2 && rest.count == 1)
            await expectError(.notFound) { try await client.querySpans(SpanQuery(rolloutID: "ro-none")) }
        }
    }
}
