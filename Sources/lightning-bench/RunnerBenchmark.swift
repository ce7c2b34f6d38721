import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LightningClient
import LightningCore
import LightningRunner
import LightningWire
import Logging
import ServiceLifecycle

/// `lightning-bench runner`: the runner's own overhead per rollout with a no-op agent (1, 4 and 16
/// workers), and OTLP/HTTP ingest end to end into PostgreSQL, against a store process started here.
struct RunnerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runner", abstract: "Benchmark the runner and OTLP ingest.")

    @Option(help: "The lightning-store executable to start.") var storeBinary = ".build/release/lightning-store"
    @Option(help: "A PostgreSQL URL; a fresh database is created next to it.") var databaseURL: String
    @Option(help: "Rollouts per worker count.") var rollouts = 2000
    @Option(help: "Worker counts, comma-separated.") var workers = "1,4,16"
    @Option(help: "OTLP requests to send.") var otlpRequests = 400
    @Option(help: "Spans per OTLP request.") var spansPerRequest = 500
    @Option(help: "Concurrent OTLP senders.") var senders = 4
    @Option(help: "The store's HTTP port (OTLP).") var httpPort = 14318

    func run() async throws {
        let database = try await BenchDatabase.create(baseURL: databaseURL)
        let store = try StoreChild(binary: storeBinary, databaseURL: database.url, name: database.name, httpPort: httpPort)
        defer { store.stop() }
        let client = try StoreClient(configuration: StoreClientConfiguration(endpoints: [store.endpoint], requestTimeout: .seconds(30)))
        defer { client.close() }
        _ = try await client.ping()

        for count in workers.split(separator: ",").compactMap({ Int($0) }) {
            let (seconds, perRollout) = try await runnerRound(client: client, workers: count)
            print(String(format: "| runner | %d workers | %d rollouts | %.0f rollouts/s | %.2f ms per rollout per worker |",
                         count, rollouts, Double(rollouts) / seconds, perRollout * 1000))
        }
        let (spans, seconds) = try await otlpRound(client: client)
        print(String(format: "| otlp | %d senders | %d spans | %.0f spans/s | %.1f s |", senders, spans, Double(spans) / seconds, seconds))
    }

    /// Enqueues `rollouts`, runs a runner with the no-op agent until all succeeded; the wall time,
    /// and the time each worker spent per rollout (dequeue to finished).
    private func runnerRound(client: StoreClient, workers: Int) async throws -> (Double, Double) {
        var ids: [String] = []
        for start in stride(from: 0, to: rollouts, by: 1000) {
            let batch = (start..<min(rollouts, start + 1000)).map { _ in RolloutSubmission(input: JSONText(unchecked: #"{"task":"bench"}"#)) }
            ids += try await client.enqueueRollouts(batch).map(\.rolloutID)
        }
        var configuration = RunnerConfiguration()
        configuration.workers = workers
        configuration.workerPrefix = "bench-\(workers)"
        configuration.dequeueWaitSeconds = 1
        let runner = Runner(store: client, agent: NoopAgent(), configuration: configuration, logger: Logger(label: "bench"))
        let group = ServiceGroup(services: [runner], gracefulShutdownSignals: [], logger: Logger(label: "bench"))
        let started = ContinuousClock.now
        let seconds = try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var pending = ids
            while !pending.isEmpty {
                let ended = try await client.waitForRollouts(rolloutIDs: Array(pending.prefix(5000)), timeoutSeconds: 10)
                let done = Set(ended.map(\.rolloutID))
                pending.removeAll { done.contains($0) }
            }
            let wall = (ContinuousClock.now - started)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        }
        return (seconds, seconds * Double(workers) / Double(rollouts))
    }

    /// Posts pre-encoded protobuf bodies (made by scripts/otlp_bodies.py for running attempts) from
    /// `senders` connections and waits until every span is in PostgreSQL.
    private func otlpRound(client: StoreClient) async throws -> (Int, Double) {
        var lines: [String] = []
        for index in 0..<16 {
            let claimed = try await client.startRollout(RolloutSubmission(input: JSONText(unchecked: #"{"task":"otlp"}"#)), workerID: "otlp-\(index)")
            lines.append("\(claimed.rollout.rolloutID) \(claimed.attempt.attemptID)")
        }
        let directory = NSTemporaryDirectory() + "otlp-bench-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try lines.joined(separator: "\n").write(toFile: directory + "/ids", atomically: true, encoding: .utf8)
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generator.arguments = ["python3", "scripts/otlp_bodies.py", directory + "/ids", directory + "/bodies", "\(otlpRequests)", "\(spansPerRequest)"]
        try generator.run()
        generator.waitUntilExit()
        guard generator.terminationStatus == 0 else { throw BenchError("scripts/otlp_bodies.py failed") }
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/bodies"))
        var bodies: [Data] = []
        var offset = 0
        while offset < data.count {
            let length = data[offset..<offset + 4].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            bodies.append(data[offset + 4..<offset + 4 + length])
            offset += 4 + length
        }
        let before = try await client.statistics().spans
        let expected = before + bodies.count * spansPerRequest
        let started = ContinuousClock.now
        // Each sender is a blocking keep-alive socket on a thread of its own, the cheapest client there
        // is, so the time measured is the store's and PostgreSQL's rather than an HTTP library's.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                let mine = stride(from: sender, to: bodies.count, by: senders).map { Array(bodies[$0]) }
                let port = httpPort
                group.addTask {
                    let connection = try BlockingHTTPClient(port: port)
                    defer { connection.close() }
                    for body in mine { _ = try await connection.timedPost("/v1/traces", body: body, contentType: "application/x-protobuf") }
                }
            }
            try await group.waitForAll()
        }
        // Polls the count (a full count over the spans table, so not too often); gives up when the
        // count stops growing, which would mean spans were rejected or lost.
        var stored = 0, lastGrowth = ContinuousClock.now
        while stored < expected {
            try await Task.sleep(for: .milliseconds(100))
            let now = try await client.statistics().spans
            if now > stored { lastGrowth = .now }
            stored = now
            if ContinuousClock.now - lastGrowth > .seconds(30) {
                throw BenchError("only \(stored - before) of \(expected - before) spans were stored")
            }
        }
        let wall = ContinuousClock.now - started
        return (bodies.count * spansPerRequest, Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18)
    }
}
