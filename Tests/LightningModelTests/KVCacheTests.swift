@testable import LightningModel
import Testing

/// Cached decoding must reproduce the full causal forward pass.
@Suite struct KVCacheTests {
    let config = ModelConfig(layers: 2, heads: 4, width: 32, context: 40)

    /// Runs `chunks` given as array slices (copied into memory that outlives the call).
    @discardableResult
    func run(_ runner: InferenceRunner, _ weights: ModelWeights, _ chunks: [(slot: Int, start: Int, tokens: ArraySlice<Int32>)],
             allRows: Bool = false) -> Int {
        let buffers = chunks.map { chunk in
            let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: chunk.tokens.count)
            _ = buffer.initialize(from: chunk.tokens)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        return runner.run(weights: weights, chunks: zip(chunks, buffers).map {
            InferenceRunner.Chunk(slot: $0.slot, start: $0.start, tokens: UnsafeBufferPointer($1))
        }, allRows: allRows)
    }

    func fullLogits(_ model: TrainingModel, _ tokens: [Int32]) throws -> [Float] {
        try model.logits(TokenBatch(tokens: tokens, targets: tokens, batchSize: 1, sequenceLength: tokens.count))
    }

    @Test func prefillThenDecodeMatchesFullForward() throws {
        let weights = try ModelWeights(config: config, seed: 3)
        let model = TrainingModel(weights: weights, threads: 2)
        var rng = SeededGenerator(seed: 11)
        let tokens = (0..<37).map { _ in Int32(rng.next() % 263) }
        let expected = try fullLogits(model, tokens)
        let v = config.vocabSize
        let runner = InferenceRunner(config: config, slots: 3, maxRows: 64, threads: 2)
        // Prefill 9 tokens, every row's logits.
        let rows = run(runner, weights, [(1, 0, tokens[0..<9])], allRows: true)
        #expect(rows == 9)
        let prefill = Array(UnsafeBufferPointer(start: runner.logits, count: 9 * v))
        #expect(worstRelativeError(prefill, Array(expected[0..<(9 * v)])) < 1e-4)
        // Then one token at a time.
        for position in 9..<tokens.count {
            run(runner, weights, [(1, position, tokens[position...position])])
            let step = Array(UnsafeBufferPointer(start: runner.logits, count: v))
            let reference = Array(expected[(position * v)..<((position + 1) * v)])
            #expect(worstRelativeError(step, reference) < 1e-4, "position \(position)")
        }
    }

    @Test func sequencesSharingAStepDoNotInterfere() throws {
        let weights = try ModelWeights(config: config, seed: 5)
        let model = TrainingModel(weights: weights, threads: 1)
        let a: [Int32] = Array(ByteTokenizer().encode("the quick brown fox jumps"))
        let b: [Int32] = Array(ByteTokenizer().encode("hello"))
        let expectedA = try fullLogits(model, a), expectedB = try fullLogits(model, b)
        let v = config.vocabSize
        let runner = InferenceRunner(config: config, slots: 2, maxRows: 64, threads: 2)
        // Step 1: prefill all of b and the first 10 tokens of a together.
        run(runner, weights, [(0, 0, a[0..<10]), (1, 0, b[...])])
        let lastB = Array(UnsafeBufferPointer(start: runner.logits + v, count: v))
        #expect(worstRelativeError(lastB, Array(expectedB[((b.count - 1) * v)...])) < 1e-4)
        // Step 2: the rest of a as a second prefill chunk.
        run(runner, weights, [(0, 10, a[10...])])
        let lastA = Array(UnsafeBufferPointer(start: runner.logits, count: v))
        #expect(worstRelativeError(lastA, Array(expectedA[((a.count - 1) * v)...])) < 1e-4)
    }
}
