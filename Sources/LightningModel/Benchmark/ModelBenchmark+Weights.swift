import Foundation

extension ModelBenchmark {
    /// Result of a prefill-and-decode run of given weights.
    public struct WeightsDecodeResult: Sendable {
        public let sequences: Int
        public let promptLength: Int
        public let newTokens: Int
        /// Median seconds of the prefill of `promptLength` tokens per sequence, in steps of at most the
        /// engine's prefill rows.
        public let prefillSeconds: Double
        /// Median seconds of the `newTokens` decode steps, one token per sequence each.
        public let decodeSeconds: Double

        public var prefillTokensPerSecond: Double { Double(sequences * promptLength) / prefillSeconds }
        public var decodeTokensPerSecond: Double { Double(sequences * newTokens) / decodeSeconds }
    }

    /// Times the runner of `weights` the way the engine drives it, without sampling overhead beyond a
    /// greedy argmax: `sequences` prompts of `promptLength` random tokens are prefilled in steps of at
    /// most `GenerationEngine.Configuration`'s `maxPrefillTokensPerStep` rows (prompts split across
    /// steps where they must; llama.cpp's `-ub 512` does the same), then `newTokens` steps each append
    /// one token per sequence (the argmax of its latest logits). One untimed
    /// warm-up round, then `repeats` timed rounds; medians are returned. This is what llama.cpp's
    /// `llama-bench` (one sequence) and `llama-batched-bench` (many) time, so their figures compare.
    public static func prefillAndDecode(
        weights: any DecoderWeights, sequences: Int, promptLength: Int, newTokens: Int, repeats: Int = 3,
        threads: Int = ComputeThreads.defaultWorkers
    ) throws -> WeightsDecodeResult {
        let positions = promptLength + newTokens
        guard sequences >= 1, promptLength >= 1, newTokens >= 1, repeats >= 1, positions <= weights.contextLength else {
            throw ModelError(.invalidInput, "sequences, prompt, new and repeats must be at least 1, and prompt \(promptLength) + new \(newTokens) must fit in the context \(weights.contextLength)")
        }
        let stepRows = GenerationEngine.Configuration().maxPrefillTokensPerStep
        let runner = weights.makeRunner(RunnerConfiguration(slots: sequences, maxRows: max(sequences, min(stepRows, sequences * promptLength)),
                                                            threads: threads,
                                                            cachePositions: sequences * PagedKVCache.pages(for: positions) * PagedKVCache.pageSize))
        let vocabulary = weights.vocabularySize
        var rng = SeededGenerator(seed: 7)
        let tokens = UnsafeMutableBufferPointer<Int32>.allocate(capacity: sequences * (promptLength + 1))
        defer { tokens.deallocate() }
        for i in tokens.indices { tokens[i] = Int32(rng.next() % UInt64(vocabulary)) }
        let last = tokens.baseAddress! + sequences * promptLength
        var prefills: [Double] = [], decodes: [Double] = []
        for round in 0...repeats {
            for slot in 0..<sequences {
                runner.release(slot: slot)
                guard runner.reserve(slot: slot, positions: positions) else {
                    throw ModelError(.invalidInput, "the KV cache cannot hold \(sequences) × \(positions) positions")
                }
            }
            var start = ContinuousClock.now
            var pending: [DecoderChunk] = [], rows = 0
            for s in 0..<sequences {
                var offset = 0
                while offset < promptLength {
                    let n = min(promptLength - offset, stepRows - rows)
                    pending.append(DecoderChunk(slot: s, start: offset, tokens: UnsafeBufferPointer(
                        start: tokens.baseAddress! + s * promptLength + offset, count: n)))
                    offset += n
                    rows += n
                    if rows == stepRows || (s == sequences - 1 && offset == promptLength) {
                        _ = runner.run(weights: weights, chunks: pending, allRows: false)
                        // Logit rows follow the run's chunks: a prompt's first token comes from its last chunk.
                        for (index, chunk) in pending.enumerated() where chunk.start + chunk.tokens.count == promptLength {
                            last[chunk.slot] = argmax(runner.logits + index * vocabulary, count: vocabulary)
                        }
                        pending.removeAll(keepingCapacity: true)
                        rows = 0
                    }
                }
            }
            let prefill = seconds(since: start)
            var steps = (0..<sequences).map { DecoderChunk(slot: $0, start: 0, tokens: UnsafeBufferPointer(start: last + $0, count: 1)) }
            start = ContinuousClock.now
            for step in 0..<newTokens {
                for s in 0..<sequences { steps[s].start = promptLength + step }
                _ = runner.run(weights: weights, chunks: steps, allRows: false)
                for s in 0..<sequences { last[s] = argmax(runner.logits + s * vocabulary, count: vocabulary) }
            }
            let decode = seconds(since: start)
            if round > 0 {
                prefills.append(prefill)
                decodes.append(decode)
            }
        }
        return WeightsDecodeResult(sequences: sequences, promptLength: promptLength, newTokens: newTokens,
                                   prefillSeconds: median(prefills), decodeSeconds: median(decodes))
    }

    private static func argmax(_ logits: UnsafeMutablePointer<Float>, count: Int) -> Int32 {
        var best = 0
        for i in 1..<count where logits[i] > logits[best] { best = i }
        return Int32(best)
    }
}
