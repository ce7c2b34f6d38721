import Foundation
import LightningClient
import LightningCore
import Testing

/// Every queue and lifecycle call, through the ZeroMQ client against the real store and PostgreSQL.
@Suite struct QueueLifecycleTests {
    @Test("enqueue creates queued rollouts; enqueueing the same id again returns the stored one")
    func enqueueIsIdempotent() async throws {
        try await withTestStore { store in
            let client = store.client
            var first = submission(group: "task-1")
            first.rolloutID = "ro-fixed"
            let created = try await client.enqueueRollouts([first, submission()])
            #expect(created.count == 2)
            #expect(created[0].rolloutID == "ro-fixed")
            #expect(created.allSatisfy { $0.status == .queuing && $0.attemptCount == 0 })
            #expect(created[0].groupKey == "task-1")
            let again = try await client.enqueueRollouts([first])
            #expect(again.map(\.rolloutID) == ["ro-fixed"])
            #expect(try await client.queryRollouts(RolloutQuery()).total == 2)
        }
    }

    @Test("enqueue refuses bad input with bad_request")
    func enqueueRefusesBadInput() async throws {
        try await withTestStore { store in
            var bad = submission()
            bad.rolloutID = "has space"
            await expectError(.badRequest) { try await store.client.enqueueRollouts([bad]) }
            var badConfig = submission()
            badConfig.config.maxAttempts = 0
            await expectError(.badRequest) { try await store.client.enqueueRollouts([badConfig]) }
            await expectError(.badRequest) {
                try await store.client.enqueueRollouts([submission(#"{"a": "#)])
            }
        }
    }

    @Test("dequeue claims the oldest rollout with a new attempt, or nothing")
    func dequeueClaims() async throws {
        try await withTestStore { store in
            let client = store.client
            #expect(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0) == nil)
            let rollouts = try await client.enqueueRollouts([submission(), submission()])
            let claimed = try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            #expect(claimed.rollout.rolloutID == rollouts[0].rolloutID)
            #expect(claimed.rollout.status == .preparing)
            #expect(claimed.attempt.sequence == 1 && claimed.attempt.status == .preparing)
            #expect(claimed.attempt.workerID == "w1" && claimed.attempt.lease != 0)
            let second = try #require(try await client.dequeueRollout(workerID: "w2", waitSeconds: 0))
            #expect(second.rollout.rolloutID == rollouts[1].rolloutID)
        }
    }

    @Test("a waiting dequeue gets a rollout enqueued while it waits; with fewer rollouts than waiters, the newest is served")
    func dequeueWaits() async throws {
        try await withTestStore { store in
            let client = store.client
            async let oldest = client.dequeueRollout(workerID: "w-old", waitSeconds: 2)
            try await Task.sleep(for: .milliseconds(300))
            async let newest = client.dequeueRollout(workerID: "w-new", waitSeconds: 10)
            try await Task.sleep(for: .milliseconds(300))
            let rollout = try await client.enqueueRollouts([submission()])[0]
            let claimed = try #require(try await newest)
            #expect(claimed.rollout.rolloutID == rollout.rolloutID && claimed.attempt.workerID == "w-new")
            #expect(try await oldest == nil)
        }
    }

    @Test("heartbeats move the attempt and rollout to running and keep the worker busy")
    func heartbeat() async throws {
        try await withTestStore { store in
            let client = store.client
            _ = try await client.enqueueRollouts([submission()])
            let claimed = try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            let beat = try await client.heartbeat(workerID: "w1", attempt: AttemptRef(claimed.attempt))
            #expect(beat.attemptStatus == .running && beat.rolloutStatus == .running)
            let workers = try await client.listWorkers()
            #expect(workers.map(\.workerID) == ["w1"])
            #expect(workers.first?.status == .busy)
            #expect(workers.first?.currentAttemptID == claimed.attempt.attemptID)
            let idle = try await client.heartbeat(workerID: "w2", attempt: nil)
            #expect(idle.attemptStatus == nil)
            #expect(try await client.listWorkers().first { $0.workerID == "w2" }?.status == .idle)
        }
    }

    @Test("finishing an attempt ends the rollout; repeating it is a no-op; other changes are refused")
    func updateAttempt() async throws {
        try await withTestStore { store in
            let client = store.client
            _ = try await client.enqueueRollouts([submission()])
            let claimed = try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            let reference = AttemptRef(claimed.attempt)
            let done = try await client.updateAttempt(reference, status: .succeeded, error: nil)
            #expect(done.rollout.status == .succeeded && done.attempt.status == .succeeded)
            #expect(done.rollout.endedAt != nil && done.attempt.endedAt != nil)
            let repeated = try await client.updateAttempt(reference, status: .succeeded, error: nil)
            #expect(repeated.attempt.status == .succeeded)
            await expectError(.invalidTransition) { try await client.updateAttempt(reference, status: .failed, error: nil) }
            #expect(try await client.listWorkers().first?.status == .idle)
        }
    }

    @Test("a wrong lease is refused as stale, and an unknown attempt is not found")
    func staleLease() async throws {
        try await withTestStore { store in
            let client = store.client
            _ = try await client.enqueueRollouts([submission()])
            let claimed = try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            var forged = AttemptRef(claimed.attempt)
            forged.lease &+= 1
            await expectError(.staleLease) { try await client.updateAttempt(forged, status: .succeeded, error: nil) }
            await expectError(.staleLease) { try await client.heartbeat(workerID: "w1", attempt: forged) }
            let unknown = AttemptRef(rolloutID: claimed.rollout.rolloutID, attemptID: "at-nope", lease: 1)
            await expectError(.notFound) { try await client.updateAttempt(unknown, status: .succeeded, error: nil) }
            #expect(try await client.getRollout(rolloutID: claimed.rollout.rolloutID).rollout.status == .preparing)
        }
    }

    @Test("a failed attempt with retries left requeues; the retry's lease replaces the old one")
    func retryOnFailure() async throws {
        try await withTestStore { store in
            let client = store.client
            _ = try await client.enqueueRollouts([submission(config: RolloutConfig(maxAttempts: 2, retryOn: [.failed]))])
            let first = try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            let failed = try await client.updateAttempt(AttemptRef(first.attempt), status: .failed, error: "tool crashed")
            #expect(failed.rollout.status == .requeuing)
            #expect(failed.attempt.error == "tool crashed")
            let second = try #require(try await client.dequeueRollout(workerID: "w2", waitSeconds: 0))
            #expect(second.rollout.rolloutID == first.rollout.rolloutID && second.attempt.sequence == 2)
            await expectError(.staleLease) { try await client.heartbeat(workerID: "w1", attempt: AttemptRef(first.attempt)) }
            let last = try await client.updateAttempt(AttemptRef(second.attempt), status: .failed, error: nil)
            #expect(last.rollout.status == .failed)
            let detail = try await client.getRollout(rolloutID: first.rollout.rolloutID)
            #expect(detail.attempts.map(\.status) == [.failed, .failed])
            #expect(detail.rollout.attemptCount == 2)
        }
    }

    @Test("start_rollout creates and claims at once; retrying it returns the same attempt")
    func startRollout() async throws {
        try await withTestStore { store in
            let client = store.client
            var request = submission()
            request.rolloutID = "ro-direct"
            let claimed = try await client.startRollout(request, workerID: "w1")
            #expect(claimed.rollout.status == .preparing && claimed.attempt.sequence == 1)
            let again = try await client.startRollout(request, workerID: "w1")
            #expect(again.attempt.attemptID == claimed.attempt.attemptID)
            #expect(try await client.dequeueRollout(workerID: "w2", waitSeconds: 0) == nil)
        }
    }

    @Test("cancel ends a rollout and its attempt; metadata can be replaced; ended rollouts stay")
    func updateRollout() async throws {
        try await withTestStore { store in
            let client = store.client
            let rollouts = try await client.enqueueRollouts([submission(), submission()])
            let claimed = try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            let cancelled = try await client.updateRollout(rolloutID: claimed.rollout.rolloutID, cancel: true, metadata: nil)
            #expect(cancelled.status == .cancelled)
            await expectError(.invalidTransition) {
                try await client.updateAttempt(AttemptRef(claimed.attempt), status: .succeeded, error: nil)
            }
            let tagged = try await client.updateRollout(rolloutID: rollouts[1].rolloutID, cancel: false, metadata: JSONText(unchecked: #"{"tag":"x"}"#))
            #expect(try tagged.metadata.value()["tag"]?.stringValue == "x")
            #expect(try await client.updateRollout(rolloutID: rollouts[1].rolloutID, cancel: true, metadata: nil).status == .cancelled)
            #expect(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0) == nil)
            await expectError(.notFound) { try await client.updateRollout(rolloutID: "ro-none", cancel: true, metadata: nil) }
        }
    }

    @Test("wait_for_rollouts returns when the rollouts end, or what ended by the timeout")
    func waitForRollouts() async throws {
        try await withTestStore { store in
            let client = store.client
            let rollouts = try await client.enqueueRollouts([submission(), submission()])
            let ids = rollouts.map(\.rolloutID)
            #expect(try await client.waitForRollouts(rolloutIDs: ids, timeoutSeconds: 0.2).isEmpty)
            async let waiting = client.waitForRollouts(rolloutIDs: ids, timeoutSeconds: 20)
            for _ in ids {
                let claimed = try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
                _ = try await client.updateAttempt(AttemptRef(claimed.attempt), status: .succeeded, error: nil)
            }
            let finished = try await waiting
            #expect(finished.map(\.rolloutID) == ids)
            #expect(finished.allSatisfy { $0.status == .succeeded })
        }
    }

    @Test("queries filter by status, job, mode, ids and group, and page")
    func queryRollouts() async throws {
        try await withTestStore { store in
            let client = store.client
            var withJob = submission(group: "g1")
            withJob.jobID = "job-1"
            _ = try await client.enqueueRollouts([withJob, withJob, submission(mode: .val), submission(mode: .val)])
            _ = try await client.dequeueRollout(workerID: "w", waitSeconds: 0)
            #expect(try await client.queryRollouts(RolloutQuery(jobID: "job-1")).total == 2)
            #expect(try await client.queryRollouts(RolloutQuery(mode: .val)).total == 2)
            #expect(try await client.queryRollouts(RolloutQuery(statuses: [.preparing])).total == 1)
            #expect(try await client.queryRollouts(RolloutQuery(groupKey: "g1")).total == 2)
            let page = try await client.queryRollouts(RolloutQuery(limit: 3, offset: 2, oldestFirst: true))
            #expect(page.rollouts.count == 2 && page.total == 4)
            let ids = page.rollouts.map(\.rolloutID)
            #expect(try await client.queryRollouts(RolloutQuery(rolloutIDs: ids)).rollouts.count == 2)
            await expectError(.notFound) { try await client.getRollout(rolloutID: "ro-none") }
        }
    }
}
