import Foundation
import LightningClient
import LightningCore
import LightningStore
import LightningWire
import Testing

@Suite struct RecoveryTests {
    @Test("while the database is down calls fail with `unavailable`; the store recovers when it returns")
    func databaseOutage() async throws {
        let postgres = PrivatePostgres()
        try await postgres.start()
        do {
            try await withTestStore(configure: { $0.databaseURL = postgres.url }) { store in
                let rollout = try await store.client.enqueueRollouts([submission()])[0]
                try await postgres.stop()
                // No retries, and a request timeout well above the store's database timeout: the store's own
                // answer must arrive.
                let impatient = try store.makeClient(retry: .none, requestTimeout: .seconds(60))
                defer { impatient.close() }
                await expectError(.unavailable) { try await impatient.enqueueRollouts([submission()]) }
                await expectError(.unavailable) { try await impatient.dequeueRollout(workerID: "w", waitSeconds: 0) }
                await expectError(.unavailable) { try await impatient.getRollout(rolloutID: rollout.rolloutID) }
                #expect(try await impatient.ping().protocolVersion == WireProtocol.version)

                try await postgres.start()
                // The patient client retries through the reconnect.
                let claimed = try #require(try await store.client.dequeueRollout(workerID: "w", waitSeconds: 5))
                #expect(claimed.rollout.rolloutID == rollout.rolloutID)
                #expect(try await impatient.enqueueRollouts([submission()]).count == 1)
            }
        } catch {
            await postgres.destroy()
            throw error
        }
        await postgres.destroy()
    }

    @Test("spans buffered by the client survive a kill -9 of the store; nothing is lost or duplicated")
    func storeRestartLosesNoSpans() async throws {
        let database = try await TestDatabase.create()
        let name = Identifier.make("k")
        var store = try StoreProcess(databaseURL: database.url, name: name)
        let context = try ZMQContext()
        let client = try StoreClient(
            configuration: StoreClientConfiguration(endpoints: [store.requestEndpoint], requestTimeout: .seconds(2), retry: RetryPolicy(budget: .seconds(3))),
            context: context
        )
        let uploader = SpanUploader(store: client, maxBatch: 50)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await uploader.run() }
                _ = try await client.enqueueRollouts([submission()])
                let claimed = try #require(try await client.dequeueRollout(workerID: "w", waitSeconds: 5))
                var sent = 0
                for round in 0..<20 {
                    if round == 8 {
                        await store.kill()
                        store = try StoreProcess(databaseURL: database.url, name: name)
                    }
                    await uploader.add((0..<25).map { index in span(claimed, name: "r\(round)-\(index)") })
                    sent += 25
                    try await Task.sleep(for: .milliseconds(20))
                }
                await uploader.add([rewardSpan(claimed, value: 0.5)])
                await uploader.flush()
                let spans = try await client.querySpans(SpanQuery(rolloutID: claimed.rollout.rolloutID, limit: 10_000))
                #expect(spans.count == sent + 1)
                #expect(Set(spans.map(\.spanID)).count == sent + 1)
                #expect(uploader.rejectedCount == 0)
                #expect(try await client.getRollout(rolloutID: claimed.rollout.rolloutID).rollout.finalReward == 0.5)
                group.cancelAll()
            }
        } catch {
            Issue.record("store log:\n\(store.log.suffix(3000))")
            throw error
        }
        client.close()
        await store.stop()
        await database.drop()
    }

    @Test("SIGTERM answers long waits in flight at once, so the store stops within seconds")
    func shutdownReleasesLongWaits() async throws {
        let database = try await TestDatabase.create()
        let store = try StoreProcess(databaseURL: database.url, name: Identifier.make("w"))
        let context = try ZMQContext()
        let client = try StoreClient(
            configuration: StoreClientConfiguration(endpoints: [store.requestEndpoint], requestTimeout: .seconds(300), retry: .none),
            context: context
        )
        let pending = try await client.enqueueRollouts([submission()])[0].rolloutID
        _ = try #require(try await client.dequeueRollout(workerID: "busy", waitSeconds: 5))
        // A wait for a rollout that will not end for minutes, and a dequeue on an empty queue.
        async let waited = client.waitForRollouts(rolloutIDs: [pending], timeoutSeconds: 240)
        async let dequeued = client.dequeueRollout(workerID: "idle", waitSeconds: 240)
        try await Task.sleep(for: .seconds(1))
        let started = ContinuousClock.now
        await store.stop()
        let stopped = ContinuousClock.now - started
        // Not held up by the 240 s waits (a bound, not a speed target: it used to take the full wait).
        #expect(stopped < .seconds(60), "the store took \(stopped) to stop:\n\(store.log.suffix(2000))")
        #expect(try await waited.isEmpty)
        #expect(try await dequeued == nil)
        client.close()
        await database.drop()
    }
}
