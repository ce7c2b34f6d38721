import Foundation

/// Throughput measurements of the model, callable from a benchmark executable (`make bench-model`).
/// Inputs are random tokens from a fixed seed; timings use the monotonic clock.
public enum ModelBenchmark {
    /// Result of a training benchmark.
    public struct TrainingResult: Sendable, CustomStringConvertible {
        public let config: ModelConfig
        public let batchSize: Int
        public let sequenceLength: Int
        /// Median seconds of one step (forward, backward, clipping, AdamW).
        public let secondsPerStep: Double
        public var tokensPerSecond: Double { Double(batchSize * sequenceLength) / secondsPerStep }
        /// Achieved matrix-product rate, counting 6·(non-embedding parameters + LM head) flops per token
        /// plus the causal attention products.
        public var gigaflopsPerSecond: Double {
            Double(batchSize * sequenceLength) * ModelBenchmark.trainingFlopsPerToken(config, time: sequenceLength)
                / secondsPerStep / 1e9
        }

        public var description: String {
            String(format: "train L%d H%d C%d: batch %dx%d  %.3f s/step  %.0f tok/s  %.1f GFLOP/s",
                   config.layers, config.heads, config.width, batchSize, sequenceLength, secondsPerStep,
                   tokensPerSecond, gigaflopsPerSecond)
        }
    }

    /// Matrix-product flops of one training token (forward + backward ≈ 3× forward).
    public static func trainingFlopsPerToken(_ config: ModelConfig, time: Int) -> Double {
        let c = Double(config.width), l = Double(config.layers)
        let linear = l * 12 * c * c + Double(config.vocabSize) * c
        let attention = l * 2 * Double(time) * c  // QKᵀ and PV over the causal half, per token
        return 6 * linear + 6 * attention
    }

    /// Times `steps` full training steps (after `warmup` untimed ones) on `batchSize × sequenceLength`
    /// random tokens.
    public static func training(
        config: ModelConfig, batchSize: Int, sequenceLength: Int, steps: Int = 5, warmup: Int = 1,
        threads: Int = ComputeThreads.defaultWorkers
    ) throws -> TrainingResult {
        let model = try TrainingModel(config: config, seed: 1, threads: threads)
        let seconds = try stepSeconds(model, batchSize: batchSize, sequenceLength: sequenceLength, steps: steps,
                                      warmup: warmup)
        return TrainingResult(config: config, batchSize: batchSize, sequenceLength: sequenceLength, secondsPerStep: seconds)
    }

    /// Median seconds of one full training step of `model` (forward, backward, clipping, AdamW) on
    /// `batchSize × sequenceLength` random tokens, after `warmup` untimed steps.
    public static func stepSeconds(
        _ model: some TrainableModel, batchSize: Int, sequenceLength: Int, steps: Int, warmup: Int = 1
    ) throws -> Double {
        var rng = SeededGenerator(seed: 7)
        let n = batchSize * sequenceLength, vocabulary = UInt64(model.vocabularySize)
        let tokens = (0..<n).map { _ in Int32(rng.next() % vocabulary) }
        let targets = (0..<n).map { _ in Int32(rng.next() % vocabulary) }
        let batch = TokenBatch(tokens: tokens, targets: targets, batchSize: batchSize, sequenceLength: sequenceLength)
        let gradients = OutputGradients(dLogprob: [Float](repeating: -1 / Float(n), count: n))
        var times: [Double] = []
        for i in 0..<(warmup + steps) {
            let start = ContinuousClock.now
            _ = try model.forward(batch, temperature: 1)
            model.zeroGradients()
            try model.backward(gradients)
            model.clipGradients(maxNorm: 1)
            model.step(learningRate: 1e-4)
            if i >= warmup { times.append(seconds(since: start)) }
        }
        return median(times)
    }

    public static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? .nan : s[s.count / 2]
    }
}
