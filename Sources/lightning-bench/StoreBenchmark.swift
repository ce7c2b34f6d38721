import ArgumentParser
import Foundation
import LightningClient
import LightningCore
import LightningWire
import Logging
import PostgresNIO

/// `lightning-bench store`: the full rollout lifecycle through real ZeroMQ and PostgreSQL, with store
/// processes started here on a fresh database.
struct StoreBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store", abstract: "Benchmark the LightningStore end to end.")

    @Option(help: "The lightning-store executable to start.") var storeBinary = ".build/release/lightning-store"
    @Option(help: "A PostgreSQL URL; a fresh database is created next to it.") var databaseURL: String
    @Option(help: "The server's data directory, to measure PostgreSQL's CPU.") var pgData = ".pg/data"
    @Option(help: "Store processes on the one database.") var stores = 1
    @Option(help: "simple or agent-lightning.") var workload = "simple"
    @Option(help: "Rollouts to run.") var rollouts = 20_000
    @Option(help: "Concurrent simulated runners.") var runners = 64
    @Option(help: "direct: each runner sends its span batches itself; uploader: through one SpanUploader per client, as lightning-runner's workers do.")
    var spans = "direct"
    @Option(help: "Append the result as a Markdown table row to this file.") var output: String?
    @Flag(help: "Keep the benchmark's database afterwards (for pg_stat_user_tables, EXPLAIN, …) and print its URL.")
    var keepDatabase = false

    func run() async throws {
        guard let shape = Workload(rawValue: workload) else { throw ValidationError("unknown workload \(workload)") }
        guard spans == "direct" || spans == "uploader" else { throw ValidationError("--spans is direct or uploader") }
        let database = try await BenchDatabase.create(baseURL: databaseURL)
        let processes = try (0..<stores).map { index in try StoreChild(binary: storeBinary, databaseURL: database.url, name: "\(database.name)-\(index)") }
        defer { processes.forEach { $0.stop() } }
        let context = try ZMQContext()
        let clients = try processes.flatMap { process in
            try (0..<2).map { _ in
                try StoreClient(configuration: StoreClientConfiguration(endpoints: [process.endpoint], requestTimeout: .seconds(30)), context: context)
            }
        }
        for client in clients { _ = try await client.ping() }

        var submissions: [RolloutSubmission] = []
        for _ in 0..<rollouts { submissions.append(RolloutSubmission(input: JSONText(unchecked: #"{"task":"bench"}"#))) }
        for start in stride(from: 0, to: rollouts, by: 1000) {
            _ = try await clients[0].enqueueRollouts(Array(submissions[start..<min(rollouts, start + 1000)]))
        }

        let pool = AttributePool(bytes: shape.attributeBytes)
        let postgres = ProcessStats.postgresProcesses(dataDirectory: pgData)
        let storeCPU0 = ProcessStats.cpuSeconds(processes.map(\.pid))
        let pgCPU0 = ProcessStats.cpuSeconds(postgres)
        let clientCPU0 = ProcessStats.cpuSeconds(getpid())
        let started = ContinuousClock.now
        let uploaders = spans == "uploader" ? clients.map { SpanUploader(store: $0) } : []
        let uploading = Task { await withDiscardingTaskGroup { group in for uploader in uploaders { group.addTask { await uploader.run() } } } }
        defer { uploading.cancel() }
        let results = try await withThrowingTaskGroup(of: RunnerResult.self) { group in
            for runner in 0..<runners {
                let client = clients[runner % clients.count]
                let uploader = uploaders.isEmpty ? nil : uploaders[runner % uploaders.count]
                group.addTask { try await Self.runner(id: runner, client: client, uploader: uploader, shape: shape, pool: pool) }
            }
            var total = RunnerResult()
            for try await result in group { total.merge(result) }
            return total
        }
        if uploaders.contains(where: { $0.rejectedCount > 0 }) { throw ValidationError("the store rejected spans") }
        let wall = ContinuousClock.now - started
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let storeCPU = ProcessStats.cpuSeconds(processes.map(\.pid)) - storeCPU0
        let pgCPU = ProcessStats.cpuSeconds(ProcessStats.postgresProcesses(dataDirectory: pgData)) - pgCPU0
        // The simulated runners share the machine: their CPU is what the store and PostgreSQL did not get.
        let clientCPU = ProcessStats.cpuSeconds(getpid()) - clientCPU0
        let peak = processes.map { ProcessStats.peakMemoryMiB($0.pid) }.max() ?? 0

        let statistics = try await clients[0].statistics()
        guard statistics.rolloutsByStatus["succeeded"] == rollouts, statistics.spans == results.spans else {
            throw ValidationError("the store holds \(statistics.rolloutsByStatus) and \(statistics.spans) spans; expected \(rollouts) succeeded and \(results.spans) spans")
        }
        for client in clients { client.close() }

        let row = String(
            format: "| %@ | %d | %d | %d | %.0f | %.0f | %.2f / %.2f | %.2f / %.2f | %.3f | %.3f | %.3f | %.0f |",
            shape.rawValue + (uploaders.isEmpty ? "" : " (uploader)"), stores, runners, rollouts, Double(rollouts) / seconds, Double(results.spans) / seconds,
            results.dequeue.percentile(0.5), results.dequeue.percentile(0.99), results.addSpans.percentile(0.5),
            results.addSpans.percentile(0.99), storeCPU / Double(rollouts) * 1000, pgCPU / Double(rollouts) * 1000,
            clientCPU / Double(rollouts) * 1000, peak
        )
        print(row)
        FileHandle.standardError.write(Data(String(format: "finish p50 / p99: %.2f / %.2f ms, wall %.1f s\n", results.finish.percentile(0.5), results.finish.percentile(0.99), seconds).utf8))
        if let output {
            let handle = FileHandle(forWritingAtPath: output) ?? {
                FileManager.default.createFile(atPath: output, contents: nil)
                return FileHandle(forWritingAtPath: output)!
            }()
            handle.seekToEndOfFile()
            handle.write(Data((row + "\n").utf8))
            try handle.close()
        }
        if keepDatabase {
            FileHandle.standardError.write(Data("kept database: \(database.url)\n".utf8))
        } else {
            await database.drop()
        }
    }

    struct RunnerResult: Sendable {
        var dequeue = Latencies()
        var addSpans = Latencies()
        var finish = Latencies()
        var spans = 0

        mutating func merge(_ other: RunnerResult) {
            dequeue.merge(other.dequeue)
            addSpans.merge(other.addSpans)
            finish.merge(other.finish)
            spans += other.spans
        }
    }

    /// One simulated runner: claim, send the spans batch by batch, finish; until the queue is empty.
    /// With an uploader, batches are handed to it and flushed before the finish (the runner's order);
    /// `addSpans` latency is then the flush's.
    static func runner(id: Int, client: StoreClient, uploader: SpanUploader?, shape: Workload, pool: AttributePool) async throws -> RunnerResult {
        var result = RunnerResult()
        var random = FastRandom(seed: UInt64(id) &* 0x9E37_79B9_7F4A_7C15 | 1)
        let clock = ContinuousClock()
        while true {
            var start = clock.now
            guard let claimed = try await client.dequeueRollout(workerID: "bench-\(id)", waitSeconds: 0) else { return result }
            result.dequeue.add(clock.now - start)
            let batches = shape.batches(for: claimed, attributes: pool, random: &random)
            if let uploader {
                start = clock.now
                for batch in batches { await uploader.add(batch) }
                await uploader.flush()
                result.addSpans.add(clock.now - start)
                result.spans += batches.map(\.count).reduce(0, +)
            } else {
                for batch in batches {
                    start = clock.now
                    let stored = try await client.addSpans(batch)
                    result.addSpans.add(clock.now - start)
                    guard stored.rejected.isEmpty else { throw ValidationError("spans rejected: \(stored.rejected)") }
                    result.spans += batch.count
                }
            }
            start = clock.now
            _ = try await client.updateAttempt(AttemptRef(claimed.attempt), status: .succeeded, error: nil)
            result.finish.add(clock.now - start)
        }
    }
}
