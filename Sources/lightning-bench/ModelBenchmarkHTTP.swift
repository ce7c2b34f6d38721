import Foundation
import LightningAlgorithm
import LightningModel
import Logging
import ServiceLifecycle

/// The latency the model host's HTTP layer adds to a request: the same one-token completion timed
/// in-process (`engine.complete`) and over loopback HTTP (keep-alive, one request at a time).
enum HTTPOverhead {
    struct Result {
        var inProcess = Latencies()
        var http = Latencies()
    }

    static func measure(config: ModelConfig, requests: Int, threads: Int) async throws -> Result {
        let weights = try ModelWeights(config: config, seed: 1)
        let engine = try GenerationEngine(weights: weights, version: 0, configuration: .init(maxSequences: 8, threads: threads))
        var logger = Logger(label: "bench-model-host")
        logger.logLevel = .error
        let host = ModelHost(engine: engine, configuration: ModelHostConfiguration(host: "127.0.0.1", port: 0, modelName: "bench"),
                             logger: logger)
        let group = ServiceGroup(services: [host], gracefulShutdownSignals: [], logger: logger)
        let prompt = "What is 2+3? Answer with one digit."
        let request = GenerationRequest(prompt: ByteTokenizer().encode(prompt), maxTokens: 1, sampling: SamplingParameters(temperature: 0))
        let body = Array(#"{"model":"bench","prompt":"\#(prompt)","max_tokens":1,"temperature":0}"#.utf8)
        var result = Result()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = await host.listeningPort()
            let client = try BlockingHTTPClient(port: port)
            defer { client.close() }
            for round in 0..<(requests + requests / 10) {  // the first tenth warms up, untimed
                let start = ContinuousClock.now
                _ = try await engine.complete(request)
                let inProcess = ContinuousClock.now - start
                let http = try await client.timedPost("/v1/completions", body: body)
                if round >= requests / 10 {
                    result.inProcess.add(inProcess)
                    result.http.add(http)
                }
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await engine.shutdown()
        return result
    }
}
