/// A linear layer `Y[rows, out] = X[rows, in] · W[in, out] + bias (+ residual)` and its backward,
/// both as single `sgemm` calls over all rows (batch × time folded into M).
enum LinearKernel {
    /// Writes `output = input·W + bias`, plus `residual` when given (which may equal `output`).
    static func forward(
        input: UnsafePointer<Float>, rows: Int, inFeatures: Int, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, outFeatures: Int, output: UnsafeMutablePointer<Float>,
        residual: UnsafePointer<Float>? = nil
    ) {
        for r in 0..<rows {
            let y = output + r * outFeatures
            if let residual {
                let x = residual + r * outFeatures
                for j in 0..<outFeatures { y[j] = x[j] + bias[j] }
            } else {
                y.update(from: bias, count: outFeatures)
            }
        }
        BLAS.gemm(m: rows, n: outFeatures, k: inFeatures, a: input, lda: inFeatures, b: weight, ldb: outFeatures,
                  beta: 1, c: output, ldc: outFeatures)
    }

    /// Accumulates `dWeight += Xᵀ·dY` and `dBias += Σ_rows dY`; writes `dInput = dY·Wᵀ` when given.
    static func backward(
        dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, outFeatures: Int, dInput: UnsafeMutablePointer<Float>?,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>
    ) {
        BLAS.gemm(transA: true, m: inFeatures, n: outFeatures, k: rows, a: input, lda: inFeatures,
                  b: dOutput, ldb: outFeatures, beta: 1, c: dWeight, ldc: outFeatures)
        if let dInput {
            BLAS.gemm(transB: true, m: rows, n: inFeatures, k: outFeatures, a: dOutput, lda: outFeatures,
                      b: weight, ldb: outFeatures, c: dInput, ldc: inFeatures)
        }
        addColumnSums(dOutput, rows: rows, width: outFeatures, into: dBias)
    }

    /// `sums[j] += Σ_r matrix[r, j]`.
    static func addColumnSums(
        _ matrix: UnsafePointer<Float>, rows: Int, width: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let row = matrix + r * width
            for j in 0..<width { sums[j] += row[j] }
        }
    }
}
