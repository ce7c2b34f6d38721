/// A bias-free linear layer with the weights as model files store them, `W[out, in]`:
/// `Y[rows, out] = X[rows, in] · Wᵀ`, and its backward, as `sgemm` calls split across the pool's
/// workers. Leading dimensions let a projection read or write a column range of a wider row (one of
/// the fused `[q | k | v]` outputs, say).
enum ProjectionKernel {
    /// `Y = X·Wᵀ`, or `Y += X·Wᵀ` with `accumulate`.
    static func forward(
        _ pool: WorkerPool, input: UnsafePointer<Float>, ldInput: Int, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, outFeatures: Int, output: UnsafeMutablePointer<Float>, ldOutput: Int,
        accumulate: Bool = false, alpha: Float = 1
    ) {
        let work = rows * inFeatures * outFeatures, beta: Float = accumulate ? 1 : 0
        if rows < 32 && outFeatures >= 64 * pool.workerCount {
            pool.chunks(outFeatures, alignment: 16, work: work) { cols, _ in
                BLAS.gemm(transB: true, m: rows, n: cols.count, k: inFeatures, alpha: alpha, a: input, lda: ldInput,
                          b: weight + cols.lowerBound * inFeatures, ldb: inFeatures, beta: beta,
                          c: output + cols.lowerBound, ldc: ldOutput)
            }
        } else {
            pool.chunks(rows, alignment: 4, work: work) { range, _ in
                BLAS.gemm(transB: true, m: range.count, n: outFeatures, k: inFeatures, alpha: alpha,
                          a: input + range.lowerBound * ldInput, lda: ldInput, b: weight, ldb: inFeatures, beta: beta,
                          c: output + range.lowerBound * ldOutput, ldc: ldOutput)
            }
        }
    }

    /// `dW += alpha · dYᵀ·X` (`[out, in]`), split by output feature so each worker owns its rows of dW.
    static func weightGradient(
        _ pool: WorkerPool, dOutput: UnsafePointer<Float>, ldOutput: Int, input: UnsafePointer<Float>, ldInput: Int,
        rows: Int, inFeatures: Int, outFeatures: Int, dWeight: UnsafeMutablePointer<Float>, alpha: Float = 1
    ) {
        pool.chunks(outFeatures, alignment: 16, work: rows * inFeatures * outFeatures) { outs, _ in
            BLAS.gemm(transA: true, m: outs.count, n: inFeatures, k: rows, alpha: alpha, a: dOutput + outs.lowerBound,
                      lda: ldOutput, b: input, ldb: ldInput, beta: 1, c: dWeight + outs.lowerBound * inFeatures,
                      ldc: inFeatures)
        }
    }

    /// `dX = alpha · dY·W`, or `dX += alpha · dY·W` with `accumulate`.
    static func inputGradient(
        _ pool: WorkerPool, dOutput: UnsafePointer<Float>, ldOutput: Int, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, outFeatures: Int, dInput: UnsafeMutablePointer<Float>, ldInput: Int,
        accumulate: Bool = false, alpha: Float = 1
    ) {
        pool.chunks(rows, alignment: 4, work: rows * inFeatures * outFeatures) { range, _ in
            BLAS.gemm(m: range.count, n: inFeatures, k: outFeatures, alpha: alpha,
                      a: dOutput + range.lowerBound * ldOutput, lda: ldOutput, b: weight, ldb: inFeatures,
                      beta: accumulate ? 1 : 0, c: dInput + range.lowerBound * ldInput, ldc: ldInput)
        }
    }
}
