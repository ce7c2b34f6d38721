/// Causal multi-head attention, every product an `sgemm` on strided views of the `[T, 3C]` qkv rows
/// (queries, then keys, then values; head `h` at column `h·headSize` of each), one head at a time.
/// The softmax backward is the O(T) per row form, never a T×T Jacobian.
enum AttentionKernel {
    /// Training forward of all `sequences × heads` heads: `probs` receives `[sequences, heads, T, T]`
    /// attention weights (kept for backward), `output` the `[sequences·T, C]` head outputs.
    static func forward(
        _ pool: WorkerPool, qkv: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        probs: UnsafeMutablePointer<Float>, sequences: Int, time t: Int, width c: Int, heads: Int
    ) {
        let hs = c / heads
        let scale = 1 / Float(hs).squareRoot()
        pool.run(sequences * heads) { task, _ in
            let s = task / heads, h = task % heads
            let q = qkv + s * t * 3 * c + h * hs, k = q + c, v = q + 2 * c
            let p = probs + task * t * t
            causalScores(q: q, ldq: 3 * c, k: k, ldk: 3 * c, scores: p, ld: t, rows: t, start: 0, scale: scale, hs: hs)
            SoftmaxKernel.causalForward(p, rows: t, ld: t, width: t, firstValid: 1)
            BLAS.gemm(m: t, n: hs, k: t, a: p, lda: t, b: v, ldb: 3 * c, c: output + s * t * c + h * hs, ldc: c)
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

    /// Training backward: from `dOutput` (`[sequences·T, C]`) and the saved `probs`, writes `dQKV`
    /// (`[sequences·T, 3C]`, overwritten). `scratch` holds `workers · T·T` floats.
    static func backward(
        _ pool: WorkerPool, dOutput: UnsafePointer<Float>, qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>,
        dQKV: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        sequences: Int, time t: Int, width c: Int, heads: Int
    ) {
        let hs = c / heads
        let scale = 1 / Float(hs).squareRoot()
        pool.run(sequences * heads) { task, worker in
            let s = task / heads, h = task % heads
            let q = qkv + s * t * 3 * c + h * hs, k = q + c, v = q + 2 * c
            let dq = dQKV + s * t * 3 * c + h * hs, dk = dq + c, dv = dq + 2 * c
            let dy = dOutput + s * t * c + h * hs
            let p = probs + task * t * t
            let dp = scratch + worker * t * t
            // dP = dY·Vᵀ ; dV = Pᵀ·dY
            BLAS.gemm(transB: true, m: t, n: t, k: hs, a: dy, lda: c, b: v, ldb: 3 * c, c: dp, ldc: t)
            BLAS.gemm(transA: true, m: t, n: hs, k: t, a: p, lda: t, b: dy, ldb: c, c: dv, ldc: 3 * c)
            SoftmaxKernel.causalBackward(probs: p, grad: dp, rows: t, ld: t, width: t, firstValid: 1)
            // dQ = scale·dS·K ; dK = scale·dSᵀ·Q
            BLAS.gemm(m: t, n: hs, k: t, alpha: scale, a: dp, lda: t, b: k, ldb: 3 * c, c: dq, ldc: 3 * c)
            BLAS.gemm(transA: true, m: t, n: hs, k: t, alpha: scale, a: dp, lda: t, b: q, ldb: 3 * c,
                      c: dk, ldc: 3 * c)
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
