import LightningModel

/// A demonstration for supervised warm-up: the response the model should produce after the prompt.
public struct Demonstration: Sendable, Hashable, PromptResponse {
    public var promptTokenIDs: [Int32]
    public var responseTokenIDs: [Int32]

    public init(promptTokenIDs: [Int32], responseTokenIDs: [Int32]) {
        self.promptTokenIDs = promptTokenIDs
        self.responseTokenIDs = responseTokenIDs
    }
}

extension PolicyTrainer {
    /// One supervised step: the mean negative log-likelihood of every response token of
    /// `demonstrations` (at temperature 1), one gradient-clipped AdamW step at `learningRate`
    /// (default: the configuration's). Demonstrations that cannot be packed are skipped and counted.
    public func supervisedStep(_ demonstrations: [Demonstration], learningRate: Float? = nil) throws(ModelError) -> SupervisedStatistics {
        let rows = demonstrations.filter { packer.problem($0) == nil }
        var statistics = SupervisedStatistics(demonstrations: rows.count, skipped: demonstrations.count - rows.count)
        let tokens = rows.reduce(0) { $0 + $1.responseTokenIDs.count }
        guard tokens > 0 else { return statistics }
        model.zeroGradients()
        var total = 0.0
        for start in stride(from: 0, to: rows.count, by: configuration.microBatchRows) {
            let packed = packer.pack(Array(rows[start..<min(start + configuration.microBatchRows, rows.count)]))
            let output = try model.forward(packed.batch, temperature: 1)
            let weight = packed.scatter { Array(repeating: 1, count: packed.rows[$0].count) }
            for (logprob, w) in zip(output.logprobs, weight) where w > 0 { total -= Double(logprob) }
            try model.backward(OutputGradients(dLogprob: weight.map { -$0 / Float(tokens) }))
        }
        let norm = model.clipGradients(maxNorm: configuration.maxGradNorm)
        model.step(learningRate: learningRate ?? configuration.learningRate)
        statistics.loss = total / Double(tokens)
        statistics.tokens = tokens
        statistics.gradNorm = Double(norm)
        return statistics
    }
}
