import Foundation
import LightningClient
import LightningCore
import Testing

@Suite struct ConcurrencyTests {
    @Test("32 concurrent dequeuers over 20 queued rollouts claim exactly 20 distinct ones")
    func concurrentDequeue() async throws {
        try await withTestStore { store in
            let client = store.client
            let queued = try await client.enqueueRollouts((0..<20).map { _ in submission() })
            let claims = try await withThrowingTaskGroup(of: ClaimedRollout?.self) { group in
                for worker in 0..<32 {
                    group.addTask { try await client.dequeueRollout(workerID: "w\(worker)", waitSeconds: 0) }
                }
                var claims: [ClaimedRollout] = []
                for try await claim in group { if let claim { claims.append(claim) } }
                return claims
            }
            #expect(claims.count == 20)
            #expect(Set(claims.map(\.rollout.rolloutID)) == Set(queued.map(\.rolloutID)))
            #expect(Set(claims.compactMap(\.attempt.workerID)).count == 20)
            #expect(try await client.statistics().attemptsByStatus == ["preparing": 20])
        }
    }

    @Test("a full lifecycle from many concurrent workers leaves every rollout succeeded exactly once")
    func manyWorkers() async throws {
        try await withTestStore { store in
            let client = store.client
            let queued = try await client.enqueueRollouts((0..<100).map { _ in submission() })
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        while let claimed = try await client.dequeueRollout(workerID: "w\(worker)", waitSeconds: 0) {
                            _ = try await client.addSpans([span(claimed), span(claimed)])
                            _ = try await client.addSpans([rewardSpan(claimed, value: 1)])
                            let done = try await client.updateAttempt(AttemptRef(claimed.attempt), status: .succeeded, error: nil)
                            #expect(done.rollout.status == .succeeded)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let statistics = try await client.statistics()
            #expect(statistics.rolloutsByStatus == ["succeeded": 100])
            #expect(statistics.attemptsByStatus == ["succeeded": 100])
            #expect(statistics.spans == 300)
            let finished = try await client.waitForRollouts(rolloutIDs: queued.map(\.rolloutID), timeoutSeconds: 1)
            #expect(finished.count == 100 && finished.allSatisfy { $0.finalReward == 1 })
        }
    }
}
