import LightningModel
import Testing

/// The continuous-batching engine: batched results equal solo results, versions, limits.
@Suite struct EngineTests {
    static let config = ModelConfig(layers: 2, heads: 2, width: 32, context: 64)
    let weights: ModelWeights
    let tokenizer = ByteTokenizer()

    init() throws {
        weights = try ModelWeights(config: Self.config, seed: 21)
    }

    func engine(_ weights: ModelWeights? = nil, version: Int = 1, slots: Int = 16, prefill: Int = 512) throws -> GenerationEngine {
        try GenerationEngine(weights: weights ?? self.weights, version: version,
                             configuration: .init(maxSequences: slots, maxPrefillTokensPerStep: prefill, threads: 2))
    }

    func requests() -> [GenerationRequest] {
        (0..<8).map { i in
            GenerationRequest(
                prompt: ChatTemplate.tokens(for: [(.user, String(repeating: "q\(i) ", count: i + 1))]),
                maxTokens: 6 + 2 * i, sampling: .init(temperature: i % 3 == 0 ? 0 : 0.8 + 0.1 * Float(i), topP: i % 2 == 0 ? 1 : 0.9),
                seed: UInt64(100 + i), stopTokens: [], n: i % 4 == 1 ? 2 : 1, topLogprobs: i % 2)
        }
    }

    func expectSame(_ a: GenerationResult, _ b: GenerationResult) {
        #expect(a.choices.count == b.choices.count)
        for (x, y) in zip(a.choices, b.choices) {
            #expect(x.tokens == y.tokens)
            #expect(x.finishReason == y.finishReason)
            #expect(zip(x.logprobs, y.logprobs).allSatisfy { abs($0 - $1) < 1e-4 })
        }
    }

    @Test func concurrentRequestsMatchSoloRuns() async throws {
        let shared = try engine(prefill: 24)  // small budget: prompts are prefilled over several steps
        let requests = requests()
        let batched = try await withThrowingTaskGroup(of: (Int, GenerationResult).self) { group in
            for (i, request) in requests.enumerated() {
                group.addTask { (i, try await shared.complete(request)) }
            }
            var results: [Int: GenerationResult] = [:]
            for try await (i, result) in group { results[i] = result }
            return results
        }
        let solo = try engine()
        for (i, request) in requests.enumerated() {
            let alone = try await solo.complete(request)
            let together = try #require(batched[i])
            expectSame(together, alone)
            #expect(together.choices.count == request.n)
            #expect(together.usage.completionTokens == together.choices.reduce(0) { $0 + $1.tokens.count })
            #expect(together.weightsVersion == 1)
        }
        let stats = shared.statistics
        let total = stats.generatedTokens
        #expect(stats.steps < total / 2, "\(stats.steps) steps for \(total) tokens: requests were not batched")
        await shared.shutdown()
        await solo.shutdown()
    }

    @Test func logprobsAreTheModelsLogSoftmaxAtTheTemperature() async throws {
        let engine = try engine()
        let prompt = tokenizer.encode("abc")
        let temperature: Float = 0.7
        let result = try await engine.complete(GenerationRequest(
            prompt: prompt, maxTokens: 12, sampling: .init(temperature: temperature), seed: 5, stopTokens: []))
        let choice = try #require(result.choices.first)
        let sequence = prompt + choice.tokens
        let model = TrainingModel(weights: weights, threads: 1)
        let inputs = Array(sequence.dropLast()), targets = Array(sequence.dropFirst())
        let out = try model.forward(TokenBatch(tokens: inputs, targets: targets, batchSize: 1, sequenceLength: inputs.count),
                                    temperature: temperature)
        let expected = Array(out.logprobs.suffix(choice.tokens.count))
        #expect(zip(choice.logprobs, expected).allSatisfy { abs($0 - $1) < 1e-4 }, "\(choice.logprobs) vs \(expected)")
        await engine.shutdown()
    }

    @Test func sameSeedSameTokensDifferentSeedDifferentTokens() async throws {
        let engine = try engine()
        func run(_ seed: UInt64) async throws -> [Int32] {
            try await engine.complete(GenerationRequest(prompt: [256, 259], maxTokens: 20, seed: seed, stopTokens: []))
                .choices[0].tokens
        }
        #expect(try await run(7) == run(7))
        #expect(try await run(7) != run(8))
        await engine.shutdown()
    }

    @Test func weightsSwapBetweenRequests() async throws {
        let other = try ModelWeights(config: Self.config, seed: 99)
        let request = GenerationRequest(prompt: [256, 259, 65, 66], maxTokens: 40, seed: 3, stopTokens: [])
        let engine = try engine(version: 1)
        let stream = engine.generate(request)  // submitted before the swap: version 1 throughout
        try engine.load(weights: other, version: 2)
        #expect(engine.weightsVersion == 2)
        let after = try await engine.complete(request)
        let before = try await GenerationResult(prompt: request.prompt, events: stream)
        #expect(before.weightsVersion == 1)
        #expect(after.weightsVersion == 2)
        let soloOld = try await self.engine(weights, version: 1).complete(request)
        let soloNew = try await self.engine(other, version: 2).complete(request)
        expectSame(before, soloOld)
        expectSame(after, soloNew)
        #expect(soloOld.choices[0].tokens != soloNew.choices[0].tokens)
        #expect(throws: ModelError.self) {
            try engine.load(weights: ModelWeights(config: ModelConfig(layers: 1, heads: 2, width: 32, context: 64), seed: 1), version: 3)
        }
        await engine.shutdown()
    }

    @Test func limitsAndStopTokens() async throws {
        let engine = try engine()
        let greedy = GenerationRequest(prompt: [256, 259, 72], maxTokens: 10, sampling: .init(temperature: 0), stopTokens: [])
        let free = try await engine.complete(greedy)
        #expect(free.choices[0].tokens.count == 10)
        #expect(free.choices[0].finishReason == .length)
        // Stop on the fourth greedy token (unless it already occurs earlier).
        var stopping = greedy
        let stopToken = free.choices[0].tokens[3]
        stopping.stopTokens = [stopToken]
        let stopped = try await engine.complete(stopping)
        let firstIndex = try #require(free.choices[0].tokens.firstIndex(of: stopToken))
        #expect(stopped.choices[0].tokens == Array(free.choices[0].tokens[...firstIndex]))
        #expect(stopped.choices[0].finishReason == .stop)
        // The context bounds the generation.
        let long = GenerationRequest(prompt: Array(repeating: 65, count: 60), maxTokens: 100, stopTokens: [])
        let bounded = try await engine.complete(long)
        #expect(bounded.choices[0].tokens.count == 4)
        #expect(bounded.choices[0].finishReason == .length)
        await engine.shutdown()
    }

    @Test func invalidRequestsFailWithClearErrors() async throws {
        let engine = try engine()
        await #expect(throws: ModelError.self) {
            _ = try await engine.complete(GenerationRequest(prompt: Array(repeating: 65, count: 64)))
        }
        await #expect(throws: ModelError.self) { _ = try await engine.complete(GenerationRequest(prompt: [])) }
        await #expect(throws: ModelError.self) { _ = try await engine.complete(GenerationRequest(prompt: [9999])) }
        await #expect(throws: ModelError.self) { _ = try await engine.complete(GenerationRequest(prompt: [65], n: 17)) }
        await engine.shutdown()
        await #expect(throws: ModelError.self) { _ = try await engine.complete(GenerationRequest(prompt: [65])) }
    }

    @Test func cancelledRequestsFreeTheirSlots() async throws {
        let engine = try engine(slots: 2)
        for _ in 0..<3 {
            let task = Task {
                for try await event in engine.generate(GenerationRequest(prompt: [65], maxTokens: 60, stopTokens: [], n: 2)) {
                    if case .token = event { return }
                }
            }
            try await task.value  // leaves the stream after the first token, cancelling the request
        }
        let result = try await engine.complete(GenerationRequest(prompt: [65], maxTokens: 5, stopTokens: [], n: 2))
        #expect(result.choices.count == 2)
        await engine.shutdown()
    }
}
