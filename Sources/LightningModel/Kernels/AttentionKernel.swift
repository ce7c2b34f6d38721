/// Causal multi-head attention on one sequence, every product an `sgemm` on strided views of the
/// `[T, 3C]` qkv rows (queries, then keys, then values; head `h` at column `h·headSize` of each).
/// The softmax backward is the O(T) per row form, never a T×T Jacobian.
enum AttentionKernel {
    /// Training forward: `probs` receives `[heads, T, T]` attention weights (kept for backward),
    /// `output` the `[T, C]` head outputs (row stride `C`).
    static func forward(
        qkv: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
        time t: Int, width c: Int, heads: Int
    ) {
        let hs = c / heads
        let scale = 1 / Float(hs).squareRoot()
        for h in 0..<heads {
            let q = qkv + h * hs, k = q + c, v = q + 2 * c
            let p = probs + h * t * t
            causalScores(q: q, ldq: 3 * c, k: k, ldk: 3 * c, scores: p, ld: t, rows: t, start: 0, scale: scale, hs: hs)
            SoftmaxKernel.causalForward(p, rows: t, ld: t, width: t, firstValid: 1)
            BLAS.gemm(m: t, n: hs, k: t, a: p, lda: t, b: v, ldb: 3 * c, c: output + h * hs, ldc: c)
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

    /// Training backward: from `dOutput` (`[T, C]`) and the saved `probs`, writes `dQKV` (`[T, 3C]`,
    /// overwritten). `scratch` holds `T·T` floats.
    static func backward(
        dOutput: UnsafePointer<Float>, qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>,
        dQKV: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        time t: Int, width c: Int, heads: Int
    ) {
        let hs = c / heads
        let scale = 1 / Float(hs).squareRoot()
        for h in 0..<heads {
            let q = qkv + h * hs, k = q + c, v = q + 2 * c
            let dq = dQKV + h * hs, dk = dq + c, dv = dq + 2 * c
            let dy = dOutput + h * hs
            let p = probs + h * t * t
            // dP = dY·Vᵀ ; dV = Pᵀ·dY
            BLAS.gemm(transB: true, m: t, n: t, k: hs, a: dy, lda: c, b: v, ldb: 3 * c, c: scratch, ldc: t)
            BLAS.gemm(transA: true, m: t, n: hs, k: t, a: p, lda: t, b: dy, ldb: c, c: dv, ldc: 3 * c)
            SoftmaxKernel.causalBackward(probs: p, grad: scratch, rows: t, ld: t, width: t, firstValid: 1)
            // dQ = scale·dS·K ; dK = scale·dSᵀ·Q
            BLAS.gemm(m: t, n: hs, k: t, alpha: scale, a: scratch, lda: t, b: k, ldb: 3 * c, c: dq, ldc: 3 * c)
            BLAS.gemm(transA: true, m: t, n: hs, k: t, alpha: scale, a: scratch, lda: t, b: q, ldb: 3 * c,
                      c: dk, ldc: 3 * c)
        }
    }

    /// Inference: `rows` new queries at positions `start..<start+rows` against one sequence's cache
    /// (`keys`/`values` `[context, C]`, already holding positions `0..<start+rows`). `scores` holds
    /// `rows·(start+rows)` floats.
    static func cached(
        q: UnsafePointer<Float>, ldq: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, ldo: Int, scores: UnsafeMutablePointer<Float>,
        start: Int, rows: Int, width c: Int, heads: Int
    ) {
        let hs = c / heads
        let scale = 1 / Float(hs).squareRoot()
        let total = start + rows
        for h in 0..<heads {
            causalScores(q: q + h * hs, ldq: ldq, k: keys + h * hs, ldk: c, scores: scores, ld: total,
                         rows: rows, start: start, scale: scale, hs: hs)
            SoftmaxKernel.causalForward(scores, rows: rows, ld: total, width: total, firstValid: start + 1)
            BLAS.gemm(m: rows, n: hs, k: total, a: scores, lda: total, b: values + h * hs, ldb: c,
                      c: output + h * hs, ldc: ldo)
        }
    }
}
