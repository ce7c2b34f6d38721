import ArgumentParser
import Foundation
import LightningClient
import LightningWire

/// `lightning-bench ping`: round trips to a running store, one at a time and many at once.
struct PingBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Measure request round trips to a store.")

    @Option var endpoint = "tcp://127.0.0.1:5555"
    @Option var count = 2000
    @Option var concurrency = 64

    func run() async throws {
        let client = try StoreClient(configuration: StoreClientConfiguration(endpoints: [endpoint]))
        defer { client.close() }
        var start = ContinuousClock.now
        for _ in 0..<count { _ = try await client.ping() }
        var elapsed = ContinuousClock.now - start
        print("sequential: \(Double(count) / seconds(elapsed)) round trips/s")
        start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask { for _ in 0..<(count / concurrency) { _ = try await client.ping() } }
            }
            try await group.waitForAll()
        }
        elapsed = ContinuousClock.now - start
        print("\(concurrency) at once: \(Double(count) / seconds(elapsed)) round trips/s")
    }

    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
