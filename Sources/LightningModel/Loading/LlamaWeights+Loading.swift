extension LlamaWeights {
    /// Builds the weights of `config` from a file's tensors.
    ///
    /// - Parameter undoRotaryPermutation: GGUF `llama` files store the query and key rows of each head
    ///   permuted so that adjacent elements rotate together (llama.cpp's converter does this); when set,
    ///   the rows are put back in Hugging Face order while packing (free: whole rows move), so the
    ///   model runs with half-split rotation like the original weights.
    static func load(config: LlamaConfig, names: LlamaTensorNames, tensors: @escaping TensorLookup,
                     undoRotaryPermutation: Bool) throws(ModelError) -> LlamaWeights {
        try config.validate()
        let c = config
        let loader = TensorLoader(lookup: tensors)
        let embedding = try loader.matrix(names.tokenEmbedding, rows: c.vocabularySize, columns: c.width)
        var output: PackedMatrix?
        if !c.tiedEmbeddings {
            output = try loader.matrix(names.output, rows: c.vocabularySize, columns: c.width)
        }
        let finalNorm = try loader.vector(names.finalNorm, count: c.width)
        var factors: [Float]?
        if let name = names.ropeFrequencies, let tensor = try loader.optional(name) {
            factors = try loader.floats(tensor, count: c.rope.dimensions / 2)
        }
        let queryOrder = undoRotaryPermutation ? Self.unpermutedRows(heads: c.heads, headSize: c.headSize) : nil
        let keyOrder = undoRotaryPermutation ? Self.unpermutedRows(heads: c.kvHeads, headSize: c.headSize) : nil
        var blocks: [Block] = []
        for l in 0..<c.layers {
            func name(_ tensor: LlamaTensorNames.BlockTensor) -> String { names.block(l, tensor) }
            let q = try loader.matrix(name(.query), rows: c.queryWidth, columns: c.width, rowOrder: queryOrder)
            let k = try loader.matrix(name(.key), rows: c.kvWidth, columns: c.width, rowOrder: keyOrder)
            let v = try loader.matrix(name(.value), rows: c.kvWidth, columns: c.width)
            var bias: FloatBuffer?
            if c.attentionBias {
                var values = try loader.reordered(loader.vector(name(.queryBias), count: c.queryWidth), queryOrder)
                values += try loader.reordered(loader.vector(name(.keyBias), count: c.kvWidth), keyOrder)
                values += try loader.vector(name(.valueBias), count: c.kvWidth)
                bias = values.withUnsafeBufferPointer { FloatBuffer(copying: $0) }
            }
            blocks.append(Block(
                attentionNorm: try loader.buffer(name(.attentionNorm), count: c.width),
                qkv: MatrixGroup([q, k, v]), qkvBias: bias,
                attentionOutput: MatrixGroup([try loader.matrix(name(.attentionOutput), rows: c.width, columns: c.queryWidth)]),
                mlpNorm: try loader.buffer(name(.mlpNorm), count: c.width),
                gateUp: MatrixGroup([try loader.matrix(name(.gate), rows: c.hiddenWidth, columns: c.width),
                                     try loader.matrix(name(.up), rows: c.hiddenWidth, columns: c.width)]),
                down: MatrixGroup([try loader.matrix(name(.down), rows: c.width, columns: c.hiddenWidth)])))
        }
        return try LlamaWeights(config: c, tokenEmbedding: embedding, blocks: blocks,
                                finalNorm: finalNorm.withUnsafeBufferPointer { FloatBuffer(copying: $0) },
                                output: output, ropeFactors: factors)
    }

    /// Row `r` of a head in Hugging Face order (`r = half · d/2 + i`) is row `2i + half` of the same head
    /// in a GGUF `llama` file.
    static func unpermutedRows(heads: Int, headSize: Int) -> [Int] {
        let half = headSize / 2
        return (0..<(heads * headSize)).map { r in
            let head = r / headSize, within = r % headSize
            return head * headSize + 2 * (within % half) + within / half
        }
    }
}

/// Fetches and checks tensors for `LlamaWeights.load`, with errors that name the tensor.
private struct TensorLoader {
    let lookup: TensorLookup

    func optional(_ name: String) throws(ModelError) -> StoredTensor? {
        do {
            return try lookup(name)
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError(.invalidTensor, "\(name): \(error)")
        }
    }

    func required(_ name: String) throws(ModelError) -> StoredTensor {
        guard let tensor = try optional(name) else { throw ModelError(.invalidTensor, "the model file has no tensor \(name)") }
        return tensor
    }

    func floats(_ tensor: StoredTensor, count: Int) throws(ModelError) -> [Float] {
        guard tensor.count == count else {
            throw ModelError(.invalidTensor, "\(tensor.name) has shape \(tensor.shape), expected \(count) values")
        }
        defer { tensor.copied() }
        do {
            return try tensor.floats()
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError(.invalidTensor, "\(tensor.name): \(error)")
        }
    }

    func vector(_ name: String, count: Int) throws(ModelError) -> [Float] {
        try floats(required(name), count: count)
    }

    func buffer(_ name: String, count: Int) throws(ModelError) -> FloatBuffer {
        try vector(name, count: count).withUnsafeBufferPointer { FloatBuffer(copying: $0) }
    }

    func reordered(_ values: [Float], _ order: [Int]?) -> [Float] {
        guard let order else { return values }
        return order.map { values[$0] }
    }

    /// A `[rows, columns]` matrix, kept in its block format when `PackedMatrix` packs it.
    func matrix(_ name: String, rows: Int, columns: Int, rowOrder: [Int]? = nil) throws(ModelError) -> PackedMatrix {
        let tensor = try required(name)
        guard tensor.shape == [rows, columns] else {
            throw ModelError(.invalidTensor, "\(name) has shape \(tensor.shape), the model's metadata needs [\(rows), \(columns)]")
        }
        if let blocks = tensor.blocks, PackedMatrix.canPack(blocks.format, columns: columns) {
            defer { tensor.copied() }
            return PackedMatrix(rows: rows, columns: columns, format: blocks.format, blocks: blocks.bytes, rowOrder: rowOrder)
        }
        let values = try reordered(floats(tensor, count: rows * columns), rowOrder.map { order in
            order.flatMap { row in (row * columns)..<((row + 1) * columns) }
        })
        return values.withUnsafeBufferPointer { PackedMatrix(rows: rows, columns: columns, values: $0) }
    }
}
