/// A linear layer `Y[rows, out] = X[rows, in] · W[in, out] + bias (+ residual)` and its backward, as
/// large `sgemm` calls (batch × time folded into M) split across the pool's workers.
enum LinearKernel {
    /// Writes `output = input·W + bias`, plus `residual` when given (which may equal `output`).
    static func forward(
        _ pool: WorkerPool, input: UnsafePointer<Float>, rows: Int, inFeatures: Int, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, outFeatures: Int, output: UnsafeMutablePointer<Float>,
        residual: UnsafePointer<Float>? = nil
    ) {
        let work = rows * inFeatures * outFeatures
        if rows < 32 && outFeatures >= 64 * pool.workerCount {
            // Few rows (decoding): split the output columns, so each worker packs only its part of the
            // weights (packing the weights dominates a product with few rows).
            pool.chunks(outFeatures, alignment: 16, work: work) { cols, _ in
                forwardBlock(input: input, rows: 0..<rows, cols: cols, inFeatures: inFeatures, weight: weight,
                             bias: bias, outFeatures: outFeatures, output: output, residual: residual)
            }
        } else {
            pool.chunks(rows, alignment: 4, work: work) { range, _ in
                forwardBlock(input: input, rows: range, cols: 0..<outFeatures, inFeatures: inFeatures,
                             weight: weight, bias: bias, outFeatures: outFeatures, output: output, residual: residual)
            }
        }
    }

    @inline(__always)
    private static func forwardBlock(
        input: UnsafePointer<Float>, rows: Range<Int>, cols: Range<Int>, inFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outFeatures: Int,
        output: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?
    ) {
        for r in rows {
            let y = output + r * outFeatures
            if let residual {
                let x = residual + r * outFeatures
                for j in cols { y[j] = x[j] + bias[j] }
            } else {
                for j in cols { y[j] = bias[j] }
            }
        }
        BLAS.gemm(m: rows.count, n: cols.count, k: inFeatures, a: input + rows.lowerBound * inFeatures,
                  lda: inFeatures, b: weight + cols.lowerBound, ldb: outFeatures, beta: 1,
                  c: output + rows.lowerBound * outFeatures + cols.lowerBound, ldc: outFeatures)
    }

    /// Accumulates `dWeight += Xᵀ·dY` and `dBias += Σ_rows dY`; writes `dInput = dY·Wᵀ` when given.
    static func backward(
        _ pool: WorkerPool, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, outFeatures: Int, dInput: UnsafeMutablePointer<Float>?,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>
    ) {
        // Weight and bias gradients split by output column: each worker owns its slice of dW and db.
        let work = rows * inFeatures * outFeatures
        pool.chunks(outFeatures, alignment: 16, work: work) { cols, _ in
            BLAS.gemm(transA: true, m: inFeatures, n: cols.count, k: rows, a: input, lda: inFeatures,
                      b: dOutput + cols.lowerBound, ldb: outFeatures, beta: 1, c: dWeight + cols.lowerBound,
                      ldc: outFeatures)
            for r in 0..<rows {
                let row = dOutput + r * outFeatures
                for j in cols { dBias[j] += row[j] }
            }
        }
        guard let dInput else { return }
        pool.chunks(rows, alignment: 4, work: work) { range, _ in
            BLAS.gemm(transB: true, m: range.count, n: inFeatures, k: outFeatures,
                      a: dOutput + range.lowerBound * outFeatures, lda: outFeatures, b: weight, ldb: outFeatures,
                      c: dInput + range.lowerBound * inFeatures, ldc: inFeatures)
        }
    }
}
