import LightningModel

/// Packs prompt/response rows into a `TokenBatch` for a model of context `context`.
///
/// A row of prompt P and response R is the sequence P + R shifted by one: position p reads token
/// p and is scored on token p + 1, so response token j sits at position `|P| − 1 + j` and a row needs
/// `|P| + |R| − 1` positions. Rows are right-padded (token 0, excluded through `TokenBatch.lengths`)
/// to the longest row of the batch, not to the full context: the trunk computes every position,
/// padding included, so shorter batches are cheaper.
///
/// Too long rows lose tokens from the left of the prompt, keeping at least one prompt token: the
/// response, which is what is trained, is never cut. The kept tokens then sit at other positions
/// than when they were sampled, so their logprobs differ a little from the recorded ones; the
/// ratio clip bounds the effect. A response that alone exceeds the context cannot be packed.
public struct BatchPacker: Sendable, Hashable {
    public var context: Int
    public var vocabularySize: Int

    public init(context: Int, vocabularySize: Int) {
        self.context = context
        self.vocabularySize = vocabularySize
    }

    public init(config: ModelConfig) {
        self.init(context: config.context, vocabularySize: config.vocabSize)
    }

    /// Why a row cannot be packed, or nil.
    public func problem(_ row: some PromptResponse) -> PackProblem? {
        if row.promptTokenIDs.isEmpty { return .emptyPrompt }
        if row.responseTokenIDs.isEmpty { return .emptyResponse }
        if row.responseTokenIDs.count > context { return .responseTooLong(row.responseTokenIDs.count) }
        let vocabulary = 0..<Int32(clamping: vocabularySize)
        if let bad = (row.promptTokenIDs + row.responseTokenIDs).first(where: { !vocabulary.contains($0) }) {
            return .tokenOutOfVocabulary(bad)
        }
        return nil
    }

    /// Packs `rows`, every one of which must have no `problem` (the trainer filters them first).
    public func pack(_ rows: [some PromptResponse]) -> PackedBatch {
        precondition(!rows.isEmpty && rows.allSatisfy { problem($0) == nil }, "pack only rows without a problem")
        var placed: [PackedBatch.Row] = []
        var sequences: [ArraySlice<Int32>] = []
        for row in rows {
            let full = row.promptTokenIDs.count + row.responseTokenIDs.count
            let dropped = max(0, full - 1 - context)
            let sequence = (row.promptTokenIDs + row.responseTokenIDs)[dropped...]
            sequences.append(sequence)
            placed.append(PackedBatch.Row(start: row.promptTokenIDs.count - dropped - 1, count: row.responseTokenIDs.count,
                                          droppedPromptTokens: dropped))
        }
        let width = sequences.map { $0.count - 1 }.max() ?? 1
        var tokens = [Int32](repeating: 0, count: rows.count * width)
        var targets = tokens
        let firstScored = placed.map(\.start)
        for (r, sequence) in sequences.enumerated() {
            for (offset, token) in sequence.dropLast().enumerated() { tokens[r * width + offset] = token }
            for (offset, token) in sequence.dropFirst().enumerated() { targets[r * width + offset] = token }
            placed[r].start += r * width
        }
        let batch = TokenBatch(tokens: tokens, targets: targets, batchSize: rows.count, sequenceLength: width,
                               lengths: sequences.map { $0.count - 1 }, firstScored: firstScored)
        return PackedBatch(batch: batch, rows: placed)
    }
}

/// Why a row cannot be packed.
public enum PackProblem: Sendable, Hashable, CustomStringConvertible {
    case emptyPrompt
    case emptyResponse
    case responseTooLong(Int)
    case tokenOutOfVocabulary(Int32)

    public var description: String {
        switch self {
        case .emptyPrompt: "empty prompt"
        case .emptyResponse: "empty response"
        case .responseTooLong(let count): "a response of \(count) tokens does not fit the context"
        case .tokenOutOfVocabulary(let token): "token id \(token) is outside the model's vocabulary"
        }
    }
}

/// A packed batch and where each row's response tokens landed.
public struct PackedBatch: Sendable {
    public struct Row: Sendable, Hashable {
        /// Flat position (in `batch`) of the row's first response token.
        public var start: Int
        /// Number of response tokens (all kept).
        public var count: Int
        /// Prompt tokens cut from the left to fit the context.
        public var droppedPromptTokens: Int

        public init(start: Int, count: Int, droppedPromptTokens: Int) {
            self.start = start
            self.count = count
            self.droppedPromptTokens = droppedPromptTokens
        }
    }

    public var batch: TokenBatch
    /// Parallel to the packed rows.
    public var rows: [Row]

    /// A flat per-position array with `values(i)` (one value per response token of row i) placed at
    /// row i's response positions and 0 elsewhere.
    public func scatter(_ values: (Int) -> [Float]) -> [Float] {
        var flat = [Float](repeating: 0, count: batch.positionCount)
        for (index, row) in rows.enumerated() {
            let rowValues = values(index)
            precondition(rowValues.count == row.count, "one value per response token")
            for j in 0..<row.count { flat[row.start + j] = rowValues[j] }
        }
        return flat
    }

    /// Each row's response-token values out of a flat per-position array (a forward output).
    public func gather(_ flat: [Float]) -> [[Float]] {
        rows.map { Array(flat[$0.start..<($0.start + $0.count)]) }
    }
}
