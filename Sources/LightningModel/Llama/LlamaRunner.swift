/// Runs a Llama-family model over chunks of new tokens, each appended to one cache slot (a prompt
/// prefill is a chunk of many tokens, a decode step a chunk of one). All chunks of a step share every
/// matrix product, attention runs per chunk and key/value head against that slot's cache pages, and
/// logits are computed only for the rows that will be sampled from. Buffers are allocated once.
final class LlamaRunner: DecoderRunner {
    let config: LlamaConfig
    let maxRows: Int
    let cache: PagedKVCache
    let pool: WorkerPool
    let scratch: TileScratch
    let rotary: RotaryEmbedding
    private let x, normed, qkv, attention, gateUp, hidden, selected, cosines, sines: FloatBuffer
    private let positions: UnsafeMutableBufferPointer<Int32>
    private(set) var logitBuffer: FloatBuffer
    /// `x·Aᵀ` of served LoRA adapters (grown when an adapter of a larger rank arrives).
    var loraScratch = FloatBuffer(count: 0)
    let attentionScratch: [AttentionScratch]
    var offsets: [Int] = []
    var attentionTasks: [AttentionTask] = []

    init(weights: LlamaWeights, configuration: RunnerConfiguration) {
        let c = weights.config
        config = c
        maxRows = configuration.maxRows
        pool = WorkerPool(workers: configuration.threads)
        cache = PagedKVCache(layers: c.layers, kvHeads: c.kvHeads, headSize: c.headSize, slots: configuration.slots,
                             capacity: configuration.cachePositions)
        scratch = TileScratch(workers: pool.workerCount, columns: max(c.width, c.hiddenWidth, c.queryWidth))
        rotary = RotaryEmbedding(config: c.rope, factors: weights.ropeFactors)
        let rows = maxRows
        x = FloatBuffer(count: rows * c.width)
        normed = FloatBuffer(count: rows * c.width)
        qkv = FloatBuffer(count: rows * (c.queryWidth + 2 * c.kvWidth))
        attention = FloatBuffer(count: rows * c.queryWidth)
        gateUp = FloatBuffer(count: rows * 2 * c.hiddenWidth)
        hidden = FloatBuffer(count: rows * c.hiddenWidth)
        selected = FloatBuffer(count: configuration.slots * c.width)
        cosines = FloatBuffer(count: rows * c.rope.dimensions / 2)
        sines = FloatBuffer(count: rows * c.rope.dimensions / 2)
        positions = .allocate(capacity: rows)
        positions.initialize(repeating: 0)
        logitBuffer = FloatBuffer(count: configuration.slots * c.vocabularySize)
        attentionScratch = (0..<pool.workerCount).map { _ in AttentionScratch() }
    }

    deinit {
        positions.deallocate()
    }

    var logits: UnsafeMutablePointer<Float> { logitBuffer.pointer }

    func reserve(slot: Int, positions: Int) -> Bool { cache.reserve(slot: slot, positions: positions) }

    func canReserve(positions: Int, slots: Int) -> Bool { cache.canReserve(positions: positions, slots: slots) }

    func release(slot: Int) { cache.release(slot: slot) }

    func copy(from source: Int, to destination: Int, positions: Int) {
        cache.copy(from: source, to: destination, positions: positions)
    }

    func run(weights: any DecoderWeights, chunks: [DecoderChunk], allRows: Bool) -> Int {
        guard let weights = weights as? LlamaWeights else {
            preconditionFailure("LlamaRunner: the engine passed weights of another architecture")
        }
        return run(weights, chunks: chunks, allRows: allRows)
    }

    private func run(_ weights: LlamaWeights, chunks: [DecoderChunk], allRows: Bool) -> Int {
        let c = config, d = c.width
        offsets.removeAll(keepingCapacity: true)
        var rows = 0
        for chunk in chunks {
            offsets.append(rows)
            for i in 0..<chunk.tokens.count { positions[rows + i] = Int32(chunk.start + i) }
            rows += chunk.tokens.count
        }
        guard rows > 0 else { return 0 }
        precondition(rows <= maxRows, "LlamaRunner: \(rows) rows exceed the step's \(maxRows)")
        let x = x.pointer, normed = normed.pointer, qkv = qkv.pointer, qkvWidth = c.queryWidth + 2 * c.kvWidth
        // Embeddings.
        var row = 0
        for chunk in chunks {
            for token in chunk.tokens {
                weights.tokenEmbedding.dequantize(row: Int(token), into: x + row * d)
                row += 1
            }
        }
        rotary.angles(positions: positions.baseAddress!, count: rows, cos: cosines.pointer, sin: sines.pointer)
        for l in 0..<c.layers {
            let block = weights.blocks[l]
            RMSNormKernel.forward(pool, input: x, gain: block.attentionNorm.pointer, output: normed, rows: rows, width: d,
                                  ld: d, epsilon: c.normEpsilon)
            block.qkv.multiply(pool, input: normed, ldx: d, count: rows, output: qkv, ldy: qkvWidth, scratch: scratch)
            applyAdapters(weights, layer: l, [.q, .k, .v], input: normed, ldx: d, rows: rows, output: qkv, ldy: qkvWidth)
            addBiasAndRotate(block.qkvBias, rows: rows)
            storeKeysAndValues(layer: l, chunks: chunks)
            attend(layer: l, chunks: chunks)
            block.attentionOutput.multiply(pool, input: attention.pointer, ldx: c.queryWidth, count: rows, output: x,
                                           ldy: d, accumulate: true, scratch: scratch)
            applyAdapters(weights, layer: l, [.o], input: attention.pointer, ldx: c.queryWidth, rows: rows, output: x, ldy: d)
            RMSNormKernel.forward(pool, input: x, gain: block.mlpNorm.pointer, output: normed, rows: rows, width: d, ld: d,
                                  epsilon: c.normEpsilon)
            block.gateUp.multiply(pool, input: normed, ldx: d, count: rows, output: gateUp.pointer,
                                  ldy: 2 * c.hiddenWidth, scratch: scratch)
            applyAdapters(weights, layer: l, [.gate, .up], input: normed, ldx: d, rows: rows, output: gateUp.pointer,
                          ldy: 2 * c.hiddenWidth)
            SwiGLUKernel.forward(pool, input: gateUp.pointer, ldInput: 2 * c.hiddenWidth, output: hidden.pointer,
                                 ldOutput: c.hiddenWidth, rows: rows, width: c.hiddenWidth)
            block.down.multiply(pool, input: hidden.pointer, ldx: c.hiddenWidth, count: rows, output: x, ldy: d,
                                accumulate: true, scratch: scratch)
            applyAdapters(weights, layer: l, [.down], input: hidden.pointer, ldx: c.hiddenWidth, rows: rows, output: x, ldy: d)
        }
        // Final norm and logits, only for the rows that will be sampled from.
        var source = UnsafePointer(x)
        var outRows = rows
        if !allRows {
            outRows = chunks.count
            for (index, chunk) in chunks.enumerated() {
                (selected.pointer + index * d).update(from: x + (offsets[index] + chunk.tokens.count - 1) * d, count: d)
            }
            source = UnsafePointer(selected.pointer)
        }
        RMSNormKernel.forward(pool, input: source, gain: weights.finalNorm.pointer, output: normed, rows: outRows, width: d,
                              ld: d, epsilon: c.normEpsilon)
        if logitBuffer.count < outRows * c.vocabularySize {
            logitBuffer = FloatBuffer(count: outRows * c.vocabularySize)
        }
        weights.output.multiply(pool, input: normed, ldx: d, count: outRows, output: logitBuffer.pointer,
                                ldy: c.vocabularySize, scratch: scratch)
        return outRows
    }

    /// Adds the Q/K/V biases (if any) and rotates every query and key head by its row's position.
    private func addBiasAndRotate(_ bias: FloatBuffer?, rows: Int) {
        let c = config, width = c.queryWidth + 2 * c.kvWidth, half = c.rope.dimensions / 2
        let qkv = qkv.pointer, cosines = cosines.pointer, sines = sines.pointer, rotary = rotary
        pool.chunks(rows, work: rows * width * 4) { range, _ in
            for r in range {
                let q = qkv + r * width
                if let bias {
                    for i in 0..<width { q[i] += bias.pointer[i] }
                }
                rotary.rotate(q, heads: c.heads, headSize: c.headSize, cos: cosines + r * half, sin: sines + r * half)
                rotary.rotate(q + c.queryWidth, heads: c.kvHeads, headSize: c.headSize, cos: cosines + r * half,
                              sin: sines + r * half)
            }
        }
    }

    private func storeKeysAndValues(layer: Int, chunks: [DecoderChunk]) {
        let c = config, width = c.queryWidth + 2 * c.kvWidth
        for (index, chunk) in chunks.enumerated() {
            for i in 0..<chunk.tokens.count {
                let row = qkv.pointer + (offsets[index] + i) * width
                cache.store(layer: layer, slot: chunk.slot, position: chunk.start + i, keys: row + c.queryWidth,
                            values: row + c.queryWidth + c.kvWidth)
            }
        }
    }

    var qkvPointer: UnsafeMutablePointer<Float> { qkv.pointer }
    var attentionPointer: UnsafeMutablePointer<Float> { attention.pointer }
}
