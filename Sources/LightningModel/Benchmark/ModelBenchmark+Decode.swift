import Foundation

extension ModelBenchmark {
    /// Result of a decoding benchmark.
    public struct DecodeResult: Sendable, CustomStringConvertible {
        public let config: ModelConfig
        public let batchSize: Int
        public let promptLength: Int
        public let newTokens: Int
        /// Seconds for the batched prompt prefill.
        public let prefillSeconds: Double
        /// Seconds for the `newTokens` decode steps (each step samples one token per sequence).
        public let decodeSeconds: Double
        public var tokensPerSecond: Double { Double(batchSize * newTokens) / decodeSeconds }

        public var description: String {
            String(format: "decode L%d C%d: batch %d, prompt %d + %d new  %.0f tok/s  (prefill %.1f ms)",
                   config.layers, config.width, batchSize, promptLength, newTokens, tokensPerSecond, prefillSeconds * 1e3)
        }
    }

    /// Times KV-cache decoding of `batchSize` sequences: one batched prefill of `promptLength` random
    /// tokens each, then `newTokens` steps that each sample (temperature 1) one token per sequence.
    /// Defaults fill the context (`promptLength + newTokens == context`).
    public static func decode(
        config: ModelConfig, batchSize: Int, promptLength: Int = 16, newTokens: Int? = nil,
        threads: Int = ComputeThreads.defaultWorkers
    ) throws -> DecodeResult {
        try config.validate()
        let steps = newTokens ?? (config.context - promptLength)
        guard promptLength >= 1, steps >= 1, promptLength + steps <= config.context else {
            throw ModelError(.invalidInput, "promptLength + newTokens must fit in the context \(config.context)")
        }
        let weights = try ModelWeights(config: config, seed: 1)
        let runner = InferenceRunner(config: config, slots: batchSize, maxRows: batchSize * promptLength, threads: threads)
        var sampler = Sampler(vocabularySize: config.vocabSize)
        var rng = SeededGenerator(seed: 3)
        // Prompts and last tokens live in one buffer that the chunks point into.
        let tokens = UnsafeMutableBufferPointer<Int32>.allocate(capacity: batchSize * (promptLength + 1))
        defer { tokens.deallocate() }
        for i in tokens.indices { tokens[i] = Int32(rng.next() % 256) }
        let last = tokens.baseAddress! + batchSize * promptLength
        let prompts = (0..<batchSize).map { b in
            InferenceRunner.Chunk(slot: b, start: 0, tokens: UnsafeBufferPointer(start: tokens.baseAddress! + b * promptLength,
                                                                                count: promptLength))
        }
        var start = ContinuousClock.now
        runner.run(weights: weights, chunks: prompts)
        let prefill = seconds(since: start)
        var chunks = (0..<batchSize).map {
            InferenceRunner.Chunk(slot: $0, start: 0, tokens: UnsafeBufferPointer(start: last + $0, count: 1))
        }
        start = ContinuousClock.now
        for step in 0..<steps {
            for b in 0..<batchSize {
                let logits = UnsafePointer(runner.logits + b * config.vocabSize)
                last[b] = sampler.sample(logits: logits, parameters: SamplingParameters(), topLogprobs: 0, rng: &rng).token.token
            }
            if step == steps - 1 { break }  // the last sampled tokens need no further pass
            for b in 0..<batchSize { chunks[b].start = promptLength + step }
            runner.run(weights: weights, chunks: chunks)
        }
        return DecodeResult(config: config, batchSize: batchSize, promptLength: promptLength, newTokens: steps,
                            prefillSeconds: prefill, decodeSeconds: seconds(since: start))
    }

    /// Result of an engine benchmark.
    public struct EngineResult: Sendable, CustomStringConvertible {
        public let requests: Int
        public let tokens: Int
        public let concurrentSeconds: Double
        public let sequentialSeconds: Double

        public var description: String {
            String(format: "engine: %d requests, %d tokens: concurrent %.2f s (%.0f tok/s), one by one %.2f s (%.0f tok/s)",
                   requests, tokens, concurrentSeconds, Double(tokens) / concurrentSeconds, sequentialSeconds,
                   Double(tokens) / sequentialSeconds)
        }
    }

    /// Runs `requests` chat requests of `maxTokens` tokens each through a `GenerationEngine`, first all
    /// at once, then one after another (same seeds, no stop tokens).
    public static func engine(
        config: ModelConfig, requests: Int = 16, maxTokens: Int = 64, threads: Int = ComputeThreads.defaultWorkers
    ) async throws -> EngineResult {
        let weights = try ModelWeights(config: config, seed: 1)
        let engine = try GenerationEngine(weights: weights, version: 0,
                                          configuration: .init(maxSequences: max(requests, 1), threads: threads))
        let batch = (0..<requests).map { i in
            GenerationRequest(prompt: ChatTemplate.tokens(for: [(.user, "request number \(i)")]), maxTokens: maxTokens,
                              seed: UInt64(i), stopTokens: [])
        }
        var start = ContinuousClock.now
        let tokens = try await withThrowingTaskGroup(of: Int.self) { group in
            for request in batch { group.addTask { try await engine.complete(request).usage.completionTokens } }
            return try await group.reduce(0, +)
        }
        let concurrent = seconds(since: start)
        start = ContinuousClock.now
        for request in batch { _ = try await engine.complete(request) }
        let sequential = seconds(since: start)
        await engine.shutdown()
        return EngineResult(requests: requests, tokens: tokens, concurrentSeconds: concurrent, sequentialSeconds: sequential)
    }
}
