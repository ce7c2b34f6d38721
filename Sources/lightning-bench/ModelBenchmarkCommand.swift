import ArgumentParser
import Foundation
import LightningModel

/// `lightning-bench model`: one measurement of the model per process (so that the process's peak
/// memory belongs to that measurement), printed as one JSON line. `scripts/bench-model.sh` runs it
/// several times, runs the JAX reference beside it and writes BENCHMARKS.md.
struct ModelBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Measure model training, KV-cache decoding or the HTTP layer's added latency (one JSON line).")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case train, decode, http
    }

    @Argument(help: "train, decode or http")
    var kind: Kind

    @Option(help: "Model size S or M")
    var size = "S"

    @Option(help: "train: batch rows (default 128 for S, 64 for M); decode: sequences decoded together")
    var batch: Int?

    @Option(help: "train: timed steps")
    var steps = 5

    @Option(help: "http: timed requests")
    var requests = 300

    @Option(help: "Compute threads")
    var threads = ComputeThreads.defaultWorkers

    func run() async throws {
        guard let config = ModelConfig.named(size) else { throw ValidationError("--size must be S or M") }
        var line: [String: Any] = ["kind": kind.rawValue, "size": size.uppercased(), "threads": threads]
        switch kind {
        case .train:
            let rows = batch ?? (config == .small ? 128 : 64)
            let result = try ModelBenchmark.training(config: config, batchSize: rows, sequenceLength: config.context, steps: steps,
                                                     warmup: 1, threads: threads)
            line["batch"] = "\(rows)x\(config.context)"
            line["tokens_per_s"] = result.tokensPerSecond
            line["gflops"] = result.gigaflopsPerSecond
            line["flops_per_token"] = ModelBenchmark.trainingFlopsPerToken(config, time: config.context)
        case .decode:
            let result = try ModelBenchmark.decode(config: config, batchSize: batch ?? 1, promptLength: 16, threads: threads)
            line["batch"] = result.batchSize
            line["tokens_per_s"] = result.tokensPerSecond
        case .http:
            let result = try await HTTPOverhead.measure(config: config, requests: requests, threads: threads)
            line["inprocess_p50_ms"] = result.inProcess.percentile(0.5)
            line["http_p50_ms"] = result.http.percentile(0.5)
            line["http_p99_ms"] = result.http.percentile(0.99)
            line["overhead_p50_ms"] = result.http.percentile(0.5) - result.inProcess.percentile(0.5)
        }
        line["peak_mib"] = ProcessStats.peakMemoryMiB(getpid())
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
