/// Runs the model over "chunks" of new tokens, each appended to one cache slot: a prompt prefill is a
/// chunk of many tokens, a decode step a chunk of one. All chunks of a step share every matrix
/// product (their rows are stacked), attention runs per chunk and head against that slot's cache,
/// and logits are computed only for the rows asked for. Buffers are allocated once; a step allocates
/// nothing.
final class InferenceRunner: DecoderRunner {
    typealias Chunk = DecoderChunk

    let config: ModelConfig
    let maxRows: Int
    let cache: KVCache
    let pool: WorkerPool
    private let x, normed, qkv, attention, hidden, selected, scores: FloatBuffer
    let logitBuffer: FloatBuffer
    private var offsets: [Int] = []

    /// `slots` sequences in the cache; at most `maxRows` new tokens per step.
    init(config: ModelConfig, slots: Int, maxRows: Int, threads: Int) {
        self.config = config
        self.maxRows = maxRows
        cache = KVCache(config: config, slots: slots)
        pool = WorkerPool(workers: threads)
        let c = config.width
        x = FloatBuffer(count: maxRows * c)
        normed = FloatBuffer(count: maxRows * c)
        qkv = FloatBuffer(count: maxRows * 3 * c)
        attention = FloatBuffer(count: maxRows * c)
        hidden = FloatBuffer(count: maxRows * 4 * c)
        selected = FloatBuffer(count: maxRows * c)
        scores = FloatBuffer(count: pool.workerCount * min(maxRows, config.context) * config.context)
        logitBuffer = FloatBuffer(count: maxRows * config.vocabSize)
    }

    /// Runs `chunks` (total rows ≤ `maxRows`, each within the context, slots distinct) with `weights`,
    /// writes their keys and values into the cache, and returns the number of logit rows written to
    /// `logits`: the last row of each chunk in order, or every row when `allRows` is set.
    var logits: UnsafeMutablePointer<Float> { logitBuffer.pointer }

    // Every slot holds the whole context, so reservations always succeed.
    func reserve(slot: Int, positions: Int) -> Bool { positions <= config.context }
    func canReserve(positions: Int, slots: Int) -> Bool { positions <= config.context }
    func release(slot: Int) {}
    func copy(from source: Int, to destination: Int, positions: Int) {
        cache.copy(from: source, to: destination, positions: positions)
    }

    func run(weights: any DecoderWeights, chunks: [DecoderChunk], allRows: Bool) -> Int {
        guard let weights = weights as? ModelWeights else {
            preconditionFailure("InferenceRunner: the engine passed weights of another architecture")
        }
        return run(weights: weights, chunks: chunks, allRows: allRows)
    }

    @discardableResult
    func run(weights: ModelWeights, chunks: [Chunk], allRows: Bool = false) -> Int {
        let c = config.width, heads = config.heads, v = config.vocabSize
        let layout = weights.layout, p = weights.pointer
        offsets.removeAll(keepingCapacity: true)
        var rows = 0
        for chunk in chunks {
            offsets.append(rows)
            rows += chunk.tokens.count
        }
        let offsets = offsets
        guard rows > 0 else { return 0 }
        let x = x.pointer, normed = normed.pointer, qkv = qkv.pointer
        // Embeddings.
        for (index, chunk) in chunks.enumerated() {
            for (i, token) in chunk.tokens.enumerated() {
                let te = p + layout.tokenEmbedding + Int(token) * c
                let pe = p + layout.positionEmbedding + (chunk.start + i) * c
                let row = x + (offsets[index] + i) * c
                for j in 0..<c { row[j] = te[j] + pe[j] }
            }
        }
        for l in 0..<config.layers {
            let w = layout.blocks[l]
            LayerNormKernel.forward(pool, input: x, gain: p + w.ln1Gain, bias: p + w.ln1Bias, output: normed,
                                    mean: nil, rstd: nil, rows: rows, width: c)
            LinearKernel.forward(pool, input: normed, rows: rows, inFeatures: c, weight: p + w.qkvWeight,
                                 bias: p + w.qkvBias, outFeatures: 3 * c, output: qkv)
            storeKeysAndValues(layer: l, chunks: chunks, offsets: offsets)
            attend(layer: l, chunks: chunks, offsets: offsets)
            LinearKernel.forward(pool, input: attention.pointer, rows: rows, inFeatures: c, weight: p + w.projWeight,
                                 bias: p + w.projBias, outFeatures: c, output: x, residual: x)
            LayerNormKernel.forward(pool, input: x, gain: p + w.ln2Gain, bias: p + w.ln2Bias, output: normed,
                                    mean: nil, rstd: nil, rows: rows, width: c)
            LinearKernel.forward(pool, input: normed, rows: rows, inFeatures: c, weight: p + w.fcWeight,
                                 bias: p + w.fcBias, outFeatures: 4 * c, output: hidden.pointer)
            GELUKernel.forward(pool, input: hidden.pointer, output: hidden.pointer, count: rows * 4 * c)
            LinearKernel.forward(pool, input: hidden.pointer, rows: rows, inFeatures: 4 * c,
                                 weight: p + w.fcProjWeight, bias: p + w.fcProjBias, outFeatures: c, output: x,
                                 residual: x)
        }
        // Final LayerNorm and logits, only for the rows that will be sampled from.
        var source = x
        var outRows = rows
        if !allRows {
            outRows = chunks.count
            for (index, chunk) in chunks.enumerated() {
                (selected.pointer + index * c).update(from: x + (offsets[index] + chunk.tokens.count - 1) * c, count: c)
            }
            source = selected.pointer
        }
        LayerNormKernel.forward(pool, input: source, gain: p + layout.finalGain, bias: p + layout.finalBias,
                                output: normed, mean: nil, rstd: nil, rows: outRows, width: c)
        let wte = p + layout.tokenEmbedding, out = logitBuffer.pointer
        if outRows < 2 * pool.workerCount {
            pool.chunks(v, alignment: 16) { cols, _ in
                BLAS.gemm(transB: true, m: outRows, n: cols.count, k: c, a: normed, lda: c,
                          b: wte + cols.lowerBound * c, ldb: c, c: out + cols.lowerBound, ldc: v)
            }
        } else {
            pool.chunks(outRows, alignment: 4) { range, _ in
                BLAS.gemm(transB: true, m: range.count, n: v, k: c, a: normed + range.lowerBound * c, lda: c,
                          b: wte, ldb: c, c: out + range.lowerBound * v, ldc: v)
            }
        }
        return outRows
    }

    private func storeKeysAndValues(layer: Int, chunks: [Chunk], offsets: [Int]) {
        let c = config.width
        for (index, chunk) in chunks.enumerated() {
            for i in 0..<chunk.tokens.count {
                let row = qkv.pointer + (offsets[index] + i) * 3 * c
                cache.store(layer: layer, slot: chunk.slot, position: chunk.start + i, keys: row + c, values: row + 2 * c)
            }
        }
    }

    private func attend(layer: Int, chunks: [Chunk], offsets: [Int]) {
        let c = config.width, heads = config.heads, context = config.context, hs = config.headSize
        let scoreStride = min(maxRows, context) * context
        let qkv = qkv.pointer, attention = attention.pointer, scores = scores.pointer, cache = cache
        let work = chunks.reduce(0) { $0 + $1.tokens.count * ($1.start + $1.tokens.count) } * c * 2
        let tasks = work < WorkerPool.serialWork ? 1 : chunks.count * heads
        chunks.withUnsafeBufferPointer { chunks in
            let attendHead = { (task: Int, worker: Int) in
                let index = task / heads, h = task % heads
                let chunk = chunks[index]
                AttentionKernel.cachedHead(
                    q: qkv + offsets[index] * 3 * c + h * hs, ldq: 3 * c,
                    keys: cache.keys(layer: layer, slot: chunk.slot, head: h),
                    values: cache.values(layer: layer, slot: chunk.slot, head: h),
                    output: attention + offsets[index] * c + h * hs, ldo: c, scores: scores + worker * scoreStride,
                    start: chunk.start, rows: chunk.tokens.count, headSize: hs)
            }
            if tasks == 1 {
                for task in 0..<(chunks.count * heads) { attendHead(task, 0) }
            } else {
                pool.run(tasks, attendHead)
            }
        }
    }
}
