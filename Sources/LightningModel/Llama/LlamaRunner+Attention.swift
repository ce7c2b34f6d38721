/// Rows of queries one attention task takes: bounds the scores buffer to `rows × positions` per worker.
private let attentionRows = 32

/// One unit of attention work: query rows `rows` of chunk `chunk` against key/value head `head`.
struct AttentionTask {
    var chunk: Int
    var head: Int
    var rows: Range<Int>
}

/// A worker's attention buffers, grown on demand (each worker only touches its own).
final class AttentionScratch {
    private(set) var queries = FloatBuffer(count: 1)
    private(set) var scores = FloatBuffer(count: 1)
    private(set) var output = FloatBuffer(count: 1)

    func reserve(queries q: Int, scores s: Int, output o: Int) {
        if queries.count < q { queries = FloatBuffer(count: q) }
        if scores.count < s { scores = FloatBuffer(count: s) }
        if output.count < o { output = FloatBuffer(count: o) }
    }
}

extension LlamaRunner {
    /// Causal grouped-query attention of every chunk against its slot's cache (which already holds
    /// this step's keys and values). For each key/value head, the rows × query heads of its group are
    /// gathered into one matrix, so each cache page is read with one `sgemm` for scores and one for
    /// the weighted values.
    func attend(layer: Int, chunks: [DecoderChunk]) {
        attentionTasks.removeAll(keepingCapacity: true)
        for (index, chunk) in chunks.enumerated() {
            for head in 0..<config.kvHeads {
                for start in stride(from: 0, to: chunk.tokens.count, by: attentionRows) {
                    attentionTasks.append(AttentionTask(chunk: index, head: head,
                                                        rows: start..<min(chunk.tokens.count, start + attentionRows)))
                }
            }
        }
        let tasks = attentionTasks, offsets = offsets
        let work = chunks.reduce(0) { $0 + $1.tokens.count * ($1.start + $1.tokens.count) } * config.queryWidth * 2
        chunks.withUnsafeBufferPointer { chunks in
            if work < WorkerPool.serialWork {
                for task in tasks { attend(task, layer: layer, chunk: chunks[task.chunk], row: offsets[task.chunk], worker: 0) }
            } else {
                pool.run(tasks.count) { t, worker in
                    let task = tasks[t]
                    self.attend(task, layer: layer, chunk: chunks[task.chunk], row: offsets[task.chunk], worker: worker)
                }
            }
        }
    }

    private func attend(_ task: AttentionTask, layer: Int, chunk: DecoderChunk, row firstRow: Int, worker: Int) {
        let c = config, hs = c.headSize, group = c.groupSize, pageSize = PagedKVCache.pageSize
        let qkvWidth = c.queryWidth + 2 * c.kvWidth
        let m = task.rows.count * group
        let positions = chunk.start + task.rows.upperBound  // the last row sees this many
        let scratch = attentionScratch[worker]
        scratch.reserve(queries: m * hs, scores: m * positions, output: m * hs)
        let queries = scratch.queries.pointer, scores = scratch.scores.pointer, output = scratch.output.pointer
        // Gather the group's query heads: row (r, g) of the matrix is head head·group + g of row r.
        for (i, r) in task.rows.enumerated() {
            let q = qkvPointer + (firstRow + r) * qkvWidth + task.head * group * hs
            (queries + i * group * hs).update(from: q, count: group * hs)
        }
        let table = cache.tables[chunk.slot]
        let pages = PagedKVCache.pages(for: positions)
        let scale = 1 / Float(hs).squareRoot()
        for p in 0..<pages {
            let n = min(pageSize, positions - p * pageSize)
            let keys = cache.keys(layer: layer, page: table[p]) + task.head * pageSize * hs
            BLAS.gemm(transB: true, m: m, n: n, k: hs, alpha: scale, a: queries, lda: hs, b: keys, ldb: hs,
                      c: scores + p * pageSize, ldc: positions)
        }
        // Softmax over the positions each row may see (its own and earlier ones); later ones get 0.
        for i in 0..<m {
            let visible = chunk.start + task.rows.lowerBound + i / group + 1
            let s = scores + i * positions
            let inverse = 1 / SoftmaxKernel.exponentiate(s, visible, shift: VectorMath.max(s, visible), scale: 1)
            for j in 0..<visible { s[j] *= inverse }
            if visible < positions { (s + visible).update(repeating: 0, count: positions - visible) }
        }
        for p in 0..<pages {
            let n = min(pageSize, positions - p * pageSize)
            let values = cache.values(layer: layer, page: table[p]) + task.head * pageSize * hs
            BLAS.gemm(m: m, n: hs, k: n, a: scores + p * pageSize, lda: positions, b: values, ldb: hs,
                      beta: p == 0 ? 0 : 1, c: output, ldc: hs)
        }
        for (i, r) in task.rows.enumerated() {
            let out = attentionPointer + (firstRow + r) * c.queryWidth + task.head * group * hs
            out.update(from: output + i * group * hs, count: group * hs)
        }
    }
}
