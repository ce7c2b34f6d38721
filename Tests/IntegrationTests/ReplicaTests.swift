import Foundation
import LightningClient
import LightningCore
import LightningWire
import Testing

/// Two `lightning-store` processes on one database.
@Suite struct ReplicaTests {
    @Test("two store processes on one database never double-claim or double-requeue")
    func twoReplicas() async throws {
        let database = try await TestDatabase.create()
        let name = Identifier.make("r")
        let first = try StoreProcess(databaseURL: database.url, name: "\(name)-a")
        let second = try StoreProcess(databaseURL: database.url, name: "\(name)-b")
        let context = try ZMQContext()
        let clients = try [first, second].map { store in
            try StoreClient(
                configuration: StoreClientConfiguration(endpoints: [store.requestEndpoint], eventEndpoints: [store.eventEndpoint], retry: RetryPolicy(budget: .seconds(20))),
                context: context
            )
        }
        do {
            for client in clients { _ = try await client.ping() }
            // Silence makes attempts unresponsive; however slow a busy machine makes the rounds, ten
            // attempts are plenty.
            let config = RolloutConfig(unresponsiveSeconds: 1, maxAttempts: 10, retryOn: [.unresponsive])
            let queued = try await clients[0].enqueueRollouts((0..<200).map { _ in submission(config: config) })

            // Round 1: claim everything through both replicas at once, then fall silent.
            var claims = try await drain(clients, finish: false)
            #expect(Set(claims.map(\.rollout.rolloutID)) == Set(queued.map(\.rolloutID)))

            // Both watchdogs see the attempts go silent; every rollout comes back to the queue.
            try await eventually(timeout: .seconds(30), "all requeued") {
                try await clients[1].statistics().rolloutsByStatus == ["requeuing": 200]
            }
            // Round 2: claim and finish everything.
            claims += try await drain(clients, finish: true)

            // No attempt was handed out twice: every claim made exactly one attempt, numbered 1, 2, …
            let pairs = claims.map { "\($0.rollout.rolloutID)#\($0.attempt.sequence)" }
            #expect(Set(pairs).count == claims.count)
            let statistics = try await clients[0].statistics()
            #expect(statistics.rolloutsByStatus == ["succeeded": 200])
            #expect(statistics.attemptsByStatus.values.reduce(0, +) == claims.count)
            #expect(statistics.attemptsByStatus["succeeded"] == 200)
            #expect(statistics.attemptsByStatus["unresponsive"] == claims.count - 200)
            // No rollout was requeued twice for one silence: attempts are numbered without gaps, each but
            // the last ended unresponsive, and only the last succeeded.
            for rolloutID in queued.map(\.rolloutID) {
                let attempts = try await clients[0].getRollout(rolloutID: rolloutID).attempts
                #expect(attempts.map(\.sequence) == Array(1...attempts.count))
                #expect(attempts.dropLast().allSatisfy { $0.status == .unresponsive })
                #expect(attempts.last?.status == .succeeded)
            }
        } catch {
            Issue.record("store logs:\n\(first.log.suffix(2000))\n\(second.log.suffix(2000))")
            for client in clients { client.close() }
            await first.kill()
            await second.kill()
            await database.drop()
            throw error
        }
        for client in clients { client.close() }
        await first.stop()
        await second.stop()
        await database.drop()
    }

    /// Dequeues until both replicas report an empty queue, with 20 workers on each.
    func drain(_ clients: [StoreClient], finish: Bool) async throws -> [ClaimedRollout] {
        try await withThrowingTaskGroup(of: [ClaimedRollout].self) { group in
            for worker in 0..<40 {
                let client = clients[worker % 2]
                group.addTask {
                    var claims: [ClaimedRollout] = []
                    while let claimed = try await client.dequeueRollout(workerID: "w\(worker)", waitSeconds: 0) {
                        claims.append(claimed)
                        if finish { _ = try await client.updateAttempt(AttemptRef(claimed.attempt), status: .succeeded, error: nil) }
                    }
                    return claims
                }
            }
            var all: [ClaimedRollout] = []
            for try await claims in group { all += claims }
            return all
        }
    }
}
