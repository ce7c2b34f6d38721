import Foundation
import LightningClient
import LightningCore
import Testing

/// The watchdog with short limits (the store checks every 100 ms in tests).
@Suite struct WatchdogTests {
    func status(_ client: StoreClient, _ id: String) async throws -> RolloutStatus {
        try await client.getRollout(rolloutID: id).rollout.status
    }

    @Test("silent attempts become unresponsive and are requeued until max_attempts, then the rollout fails")
    func unresponsiveRetries() async throws {
        try await withTestStore { store in
            let client = store.client
            let config = RolloutConfig(unresponsiveSeconds: 0.3, maxAttempts: 2, retryOn: [.unresponsive])
            let id = try await client.enqueueRollouts([submission(config: config)])[0].rolloutID
            _ = try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            try await eventually("requeued") { try await status(client, id) == .requeuing }
            let second = try #require(try await client.dequeueRollout(workerID: "w2", waitSeconds: 0))
            #expect(second.attempt.sequence == 2)
            let finished = try await client.waitForRollouts(rolloutIDs: [id], timeoutSeconds: 10)
            #expect(finished.first?.status == .failed)
            let attempts = try await client.getRollout(rolloutID: id).attempts
            #expect(attempts.map(\.status) == [.unresponsive, .unresponsive])
            #expect(attempts.allSatisfy { $0.error?.contains("no heartbeat") == true })
        }
    }

    @Test("attempts that run too long time out and are requeued until max_attempts, then the rollout fails")
    func timeoutRetries() async throws {
        try await withTestStore { store in
            let client = store.client
            let config = RolloutConfig(timeoutSeconds: 0.4, unresponsiveSeconds: nil, maxAttempts: 2, retryOn: [.timeout])
            let id = try await client.enqueueRollouts([submission(config: config)])[0].rolloutID
            for sequence in 1...2 {
                let claimed = try #require(try await client.dequeueRollout(workerID: "w", waitSeconds: 5))
                #expect(claimed.attempt.sequence == sequence)
                // Keep heartbeating: a busy attempt still times out.
                try await eventually("attempt \(sequence) timed out") {
                    do {
                        _ = try await client.heartbeat(workerID: "w", attempt: AttemptRef(claimed.attempt))
                        return false
                    } catch let error as LightningError where error.code == .staleLease {
                        return true
                    }
                }
            }
            #expect(try await client.waitForRollouts(rolloutIDs: [id], timeoutSeconds: 10).first?.status == .failed)
            #expect(try await client.getRollout(rolloutID: id).attempts.map(\.status) == [.timeout, .timeout])
        }
    }

    @Test("a span revives an unresponsive attempt but not a timed-out one")
    func revival() async throws {
        try await withTestStore { store in
            let client = store.client
            let silent = RolloutConfig(unresponsiveSeconds: 0.3, maxAttempts: 3, retryOn: [.unresponsive])
            let id = try await client.enqueueRollouts([submission(config: silent)])[0].rolloutID
            let claimed = try #require(try await client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            try await eventually("unresponsive") { try await client.getRollout(rolloutID: id).attempts.first?.status == .unresponsive }
            #expect(try await status(client, id) == .requeuing)
            _ = try await client.addSpans([span(claimed)])
            let revived = try await client.getRollout(rolloutID: id)
            #expect(revived.attempts.map(\.status) == [.running])
            #expect(revived.rollout.status == .running)
            _ = try await client.updateAttempt(AttemptRef(claimed.attempt), status: .succeeded, error: nil)

            let short = RolloutConfig(timeoutSeconds: 0.3, unresponsiveSeconds: nil, maxAttempts: 1, retryOn: [])
            let timedID = try await client.enqueueRollouts([submission(config: short)])[0].rolloutID
            let timed = try #require(try await client.dequeueRollout(workerID: "w2", waitSeconds: 0))
            #expect(try await client.waitForRollouts(rolloutIDs: [timedID], timeoutSeconds: 10).first?.status == .failed)
            let result = try await client.addSpans([span(timed)])
            #expect(result.stored == 1)
            let after = try await client.getRollout(rolloutID: timedID)
            #expect(after.attempts.map(\.status) == [.timeout])
            #expect(after.rollout.status == .failed)
        }
    }
}
