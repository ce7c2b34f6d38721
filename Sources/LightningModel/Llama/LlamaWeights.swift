/// The weights of a Llama-family model, ready to run: matrices packed by `PackedMatrix` (quantized
/// ones stay quantized), norm gains and biases as floats. Immutable once built, so one instance can
/// serve any number of requests and be swapped atomically by the engine.
///
/// `@unchecked Sendable`: every stored property is immutable and the buffers they hold are written
/// only while the initializer runs.
public final class LlamaWeights: @unchecked Sendable {
    /// One transformer block.
    struct Block: @unchecked Sendable {
        let attentionNorm: FloatBuffer
        /// Query, key and value projections, whose outputs lie side by side (`[q | k | v]`).
        let qkv: MatrixGroup
        /// Biases of `qkv`'s output (Qwen2), or nil.
        let qkvBias: FloatBuffer?
        let attentionOutput: MatrixGroup
        let mlpNorm: FloatBuffer
        /// Gate and up projections side by side (`[gate | up]`).
        let gateUp: MatrixGroup
        let down: MatrixGroup
    }

    public let config: LlamaConfig
    /// `[vocabulary, width]`: rows are looked up for the input and, when tied, multiplied for the logits.
    let tokenEmbedding: PackedMatrix
    let blocks: [Block]
    let finalNorm: FloatBuffer
    /// The output projection (`[vocabulary, width]`): the token embedding when tied.
    let output: MatrixGroup
    /// Per-pair divisors of the rotary frequencies (GGUF `rope_freqs.weight`), or nil.
    let ropeFactors: [Float]?
    /// LoRA adapters the runner adds to the base's projections, or nil.
    let adapters: ServedAdapters?

    init(
        config: LlamaConfig, tokenEmbedding: PackedMatrix, blocks: [Block], finalNorm: FloatBuffer,
        output: PackedMatrix?, ropeFactors: [Float]?, adapters: ServedAdapters? = nil
    ) throws(ModelError) {
        try config.validate()
        self.config = config
        self.tokenEmbedding = tokenEmbedding
        self.blocks = blocks
        self.finalNorm = finalNorm
        self.output = MatrixGroup([output ?? tokenEmbedding])
        self.ropeFactors = ropeFactors
        self.adapters = adapters
        try checkShapes(output: output)
        if let adapters, adapters.blocks.count != config.layers {
            throw ModelError(.configMismatch, "the adapters have \(adapters.blocks.count) blocks, the model \(config.layers)")
        }
    }

    private func checkShapes(output: PackedMatrix?) throws(ModelError) {
        let c = config
        func expect(_ what: String, _ rows: Int, _ columns: Int, _ actualRows: Int, _ actualColumns: Int) throws(ModelError) {
            guard rows == actualRows, columns == actualColumns else {
                throw ModelError(.invalidConfig, "\(what) is \(actualRows)×\(actualColumns), the config needs \(rows)×\(columns)")
            }
        }
        try expect("the token embedding", c.vocabularySize, c.width, tokenEmbedding.rows, tokenEmbedding.columns)
        if let output { try expect("the output projection", c.vocabularySize, c.width, output.rows, output.columns) }
        guard blocks.count == c.layers else {
            throw ModelError(.invalidConfig, "the model has \(blocks.count) blocks, the config needs \(c.layers)")
        }
        guard finalNorm.count == c.width else { throw ModelError(.invalidConfig, "the final norm has \(finalNorm.count) values, not \(c.width)") }
        if let ropeFactors, ropeFactors.count != c.rope.dimensions / 2 {
            throw ModelError(.invalidConfig, "rope_freqs has \(ropeFactors.count) values, not \(c.rope.dimensions / 2)")
        }
        for (l, b) in blocks.enumerated() {
            let p = "block \(l): "
            try expect(p + "the query/key/value projection", c.queryWidth + 2 * c.kvWidth, c.width, b.qkv.rows, b.qkv.columns)
            try expect(p + "the attention output", c.width, c.queryWidth, b.attentionOutput.rows, b.attentionOutput.columns)
            try expect(p + "the gate/up projection", 2 * c.hiddenWidth, c.width, b.gateUp.rows, b.gateUp.columns)
            try expect(p + "the down projection", c.width, c.hiddenWidth, b.down.rows, b.down.columns)
            guard b.attentionNorm.count == c.width, b.mlpNorm.count == c.width else {
                throw ModelError(.invalidConfig, p + "a norm does not have \(c.width) values")
            }
            if c.attentionBias {
                guard let bias = b.qkvBias, bias.count == c.queryWidth + 2 * c.kvWidth else {
                    throw ModelError(.invalidConfig, p + "the query/key/value biases are missing or of the wrong size")
                }
            }
        }
    }

    /// Bytes of weights held (quantized matrices count their packed size).
    public var byteCount: Int {
        var total = tokenEmbedding.byteCount + finalNorm.count * 4 + (adapters?.byteCount ?? 0)
        if !config.tiedEmbeddings { total += output.byteCount }
        for b in blocks {
            total += b.qkv.byteCount + b.attentionOutput.byteCount + b.gateUp.byteCount + b.down.byteCount
            total += (b.attentionNorm.count + b.mlpNorm.count + (b.qkvBias?.count ?? 0)) * 4
        }
        return total
    }
}
