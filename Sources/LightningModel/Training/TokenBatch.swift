/// A training batch: `batchSize` rows of `sequenceLength` tokens (row-major), the target token of
/// every position, and optionally the valid length of each row (positions at or after it are
/// padding: they get zero outputs and contribute no gradient).
public struct TokenBatch: Sendable, Hashable {
    public var tokens: [Int32]
    public var targets: [Int32]
    public var batchSize: Int
    public var sequenceLength: Int
    public var lengths: [Int]?
    /// Optionally, the first position of each row whose outputs are needed (a prompt's last token):
    /// a model may skip the output head before it, returning zero there (no gradient flows from it).
    public var firstScored: [Int]?

    public init(tokens: [Int32], targets: [Int32], batchSize: Int, sequenceLength: Int, lengths: [Int]? = nil,
                firstScored: [Int]? = nil) {
        self.tokens = tokens
        self.targets = targets
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.lengths = lengths
        self.firstScored = firstScored
    }

    /// The flat positions whose outputs are needed: valid, and at or after the row's `firstScored`.
    func scoredPositions() -> [Int] {
        var positions: [Int] = []
        for row in 0..<batchSize {
            for t in (firstScored?[row] ?? 0)..<length(row) { positions.append(row * sequenceLength + t) }
        }
        return positions
    }

    /// Number of positions (`batchSize · sequenceLength`).
    public var positionCount: Int { batchSize * sequenceLength }

    /// Valid length of row `row`.
    @inline(__always)
    func length(_ row: Int) -> Int { lengths?[row] ?? sequenceLength }

    func validate(_ config: ModelConfig) throws(ModelError) {
        try validate(context: config.context, vocabularySize: config.vocabSize)
    }

    func validate(context: Int, vocabularySize: Int) throws(ModelError) {
        guard batchSize > 0, sequenceLength > 0 else {
            throw ModelError(.invalidInput, "batch size and sequence length must be positive")
        }
        guard sequenceLength <= context else {
            throw ModelError(.invalidInput, "sequence length \(sequenceLength) exceeds the context \(context)")
        }
        guard tokens.count == positionCount, targets.count == positionCount else {
            throw ModelError(.invalidInput, "tokens and targets need \(positionCount) entries each, got \(tokens.count) and \(targets.count)")
        }
        if let lengths {
            guard lengths.count == batchSize, lengths.allSatisfy({ (0...sequenceLength).contains($0) }) else {
                throw ModelError(.invalidInput, "lengths need \(batchSize) values in 0...\(sequenceLength)")
            }
        }
        if let firstScored {
            guard firstScored.count == batchSize, firstScored.allSatisfy({ (0...sequenceLength).contains($0) }) else {
                throw ModelError(.invalidInput, "firstScored needs \(batchSize) values in 0...\(sequenceLength)")
            }
        }
        let vocab = Int32(vocabularySize)
        guard tokens.allSatisfy({ $0 >= 0 && $0 < vocab }), targets.allSatisfy({ $0 >= 0 && $0 < vocab }) else {
            throw ModelError(.invalidInput, "token ids must be in 0..<\(vocab)")
        }
    }
}

/// Per-position outputs of `TrainingModel.forward`, each `[batchSize · sequenceLength]` row-major.
/// Padding positions hold zero.
public struct ForwardResult: Sendable {
    /// `log_softmax(logits / temperature)` at the target token.
    public var logprobs: [Float]
    /// Entropy of `softmax(logits / temperature)`.
    public var entropy: [Float]
    /// Value head output, when the model has one.
    public var values: [Float]?
}

/// Gradients of the loss with respect to the outputs of the last forward pass, each
/// `[batchSize · sequenceLength]`; nil means zero. Plain cross-entropy (SFT) is
/// `dLogprob = −weight / count` on the trained positions.
public struct OutputGradients: Sendable {
    public var dLogprob: [Float]
    public var dEntropy: [Float]?
    public var dValue: [Float]?

    public init(dLogprob: [Float], dEntropy: [Float]? = nil, dValue: [Float]? = nil) {
        self.dLogprob = dLogprob
        self.dEntropy = dEntropy
        self.dValue = dValue
    }
}
