/// Causal attention with grouped-query heads (multi-head when `kvHeads == heads`), every product an
/// `sgemm` on strided views of the qkv rows: `heads` query heads, then `kvHeads` key and `kvHeads`
/// value heads of `headSize` floats each, so a row has `(heads + 2·kvHeads)·headSize` floats (the GPT's
/// `[T, 3C]`). Query head `h` attends with key/value head `h / (heads / kvHeads)`.
/// The softmax backward is the O(T) per row form, never a T×T Jacobian.
enum AttentionKernel {
    /// Training forward of all `sequences × heads` heads: `probs` receives `[sequences, heads, T, T]`
    /// attention weights (kept for backward), `output` the `[sequences·T, heads·headSize]` head outputs.
    static func forward(
        _ pool: WorkerPool, qkv: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        probs: UnsafeMutablePointer<Float>, sequences: Int, time t: Int, heads: Int, kvHeads: Int, headSize hs: Int
    ) {
        let group = heads / kvHeads, ldq = (heads + 2 * kvHeads) * hs, ldo = heads * hs
        let scale = 1 / Float(hs).squareRoot()
        pool.run(sequences * heads) { task, _ in
            let s = task / heads, h = task % heads
            let row = qkv + s * t * ldq
            let q = row + h * hs, k = row + (heads + h / group) * hs, v = k + kvHeads * hs
            let p = probs + task * t * t
            causalScores(q: q, ldq: ldq, k: k, ldk: ldq, scores: p, ld: t, rows: t, start: 0, scale: scale, hs: hs)
            SoftmaxKernel.causalForward(p, rows: t, ld: t, width: t, firstValid: 1)
            BLAS.gemm(m: t, n: hs, k: t, a: p, lda: t, b: v, ldb: ldq, c: output + s * t * ldo + h * hs, ldc: ldo)
        }
    }

    /// `scores[i, j] = scale · q_i·k_j` for the causal part. Rows are split in two halves so the top
    /// half skips the keys it cannot see (a quarter of the work for full blocks).
    @inline(__always)
    static func causalScores(
        q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int,
        scores: UnsafeMutablePointer<Float>, ld: Int, rows: Int, start: Int, scale: Float, hs: Int
    ) {
        let top = rows >= 32 ? rows / 2 : 0
        if top > 0 {
            BLAS.gemm(transB: true, m: top, n: start + top, k: hs, alpha: scale,
                      a: q, lda: ldq, b: k, ldb: ldk, c: scores, ldc: ld)
        }
        BLAS.gemm(transB: true, m: rows - top, n: start + rows, k: hs, alpha: scale,
                  a: q + top * ldq, lda: ldq, b: k, ldb: ldk, c: scores + top * ld, ldc: ld)
    }

    /// Training backward: from `dOutput` (`[sequences·T, heads·headSize]`) and the saved `probs`, writes
    /// `dQKV` (the qkv layout, overwritten). One task per sequence and key/value head runs that head's
    /// query heads in turn, so their key and value gradients add up without races. `scratch` holds
    /// `workers · T·T` floats.
    static func backward(
        _ pool: WorkerPool, dOutput: UnsafePointer<Float>, qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>,
        dQKV: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        sequences: Int, time t: Int, heads: Int, kvHeads: Int, headSize hs: Int
    ) {
        let group = heads / kvHeads, ldq = (heads + 2 * kvHeads) * hs, ldo = heads * hs
        let scale = 1 / Float(hs).squareRoot()
        pool.run(sequences * kvHeads) { task, worker in
            let s = task / kvHeads, kv = task % kvHeads
            let row = qkv + s * t * ldq, dRow = dQKV + s * t * ldq
            let k = row + (heads + kv) * hs, v = k + kvHeads * hs
            let dk = dRow + (heads + kv) * hs, dv = dk + kvHeads * hs
            let dp = scratch + worker * t * t
            for h in (kv * group)..<((kv + 1) * group) {
                let q = row + h * hs, dq = dRow + h * hs
                let dy = dOutput + s * t * ldo + h * hs
                let p = probs + (s * heads + h) * t * t
                let beta: Float = h == kv * group ? 0 : 1  // the group's first head overwrites dK and dV
                // dP = dY·Vᵀ ; dV += Pᵀ·dY
                BLAS.gemm(transB: true, m: t, n: t, k: hs, a: dy, lda: ldo, b: v, ldb: ldq, c: dp, ldc: t)
                BLAS.gemm(transA: true, m: t, n: hs, k: t, a: p, lda: t, b: dy, ldb: ldo, beta: beta, c: dv, ldc: ldq)
                SoftmaxKernel.causalBackward(probs: p, grad: dp, rows: t, ld: t, width: t, firstValid: 1)
                // dQ = scale·dS·K ; dK += scale·dSᵀ·Q
                BLAS.gemm(m: t, n: hs, k: t, alpha: scale, a: dp, lda: t, b: k, ldb: ldq, c: dq, ldc: ldq)
                BLAS.gemm(transA: true, m: t, n: hs, k: t, alpha: scale, a: dp, lda: t, b: q, ldb: ldq, beta: beta,
                          c: dk, ldc: ldq)
            }
        }
    }

    /// Inference, one head: `rows` new queries (row stride `ldq`) at positions `start..<start+rows`
    /// against one sequence's cached keys and values for this head (`[context, headSize]` blocks,
    /// already holding positions `0..<start+rows`); writes `rows × headSize` outputs (row stride `ldo`).
    /// `scores` holds `rows·(start+rows)` floats.
    @inline(__always)
    static func cachedHead(
        q: UnsafePointer<Float>, ldq: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, ldo: Int, scores: UnsafeMutablePointer<Float>,
        start: Int, rows: Int, headSize hs: Int
    ) {
        let scale = 1 / Float(hs).squareRoot()
        let total = start + rows
        causalScores(q: q, ldq: ldq, k: keys, ldk: hs, scores: scores, ld: total, rows: rows, start: start,
                     scale: scale, hs: hs)
        SoftmaxKernel.causalForward(scores, rows: rows, ld: total, width: total, firstValid: start + 1)
        BLAS.gemm(m: rows, n: hs, k: total, a: scores, lda: total, b: values, ldb: hs, c: output, ldc: ldo)
    }
}
