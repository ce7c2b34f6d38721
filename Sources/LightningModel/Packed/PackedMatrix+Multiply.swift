import CQuantKernels

extension PackedMatrix {
    /// Input rows from which quantized products decode tiles of weights to floats and call `sgemm`
    /// instead of the integer kernels. Measured on SmolLM2 Q4_1 (2 threads): the integer kernels are
    /// ~20% faster at 16 rows and slower at 32 and 48.
    static let gemmRows = 32

    /// Output rows of one decoded tile: large enough that `sgemm` runs at full speed, small enough that
    /// a tile of 1,536-column rows (590 KB) stays in the core's cache.
    static let tileRows = 96

    /// `Y[:, range] = X · W[range]ᵀ` (or `+=` when `accumulate`), on the calling thread: rows of `X` are
    /// `ldx` floats apart, rows of `Y` `ldy`, and `y` points at column 0 of this matrix's output.
    /// Quantized matrices with fewer than `gemmRows` rows take `inputs`, the rows of `X` quantized.
    func multiply(
        rows range: Range<Int>, input x: UnsafePointer<Float>, ldx: Int, count: Int, output y: UnsafeMutablePointer<Float>,
        ldy: Int, accumulate: Bool, tile: UnsafeMutablePointer<Float>, inputs: QuantizedInputs
    ) {
        let beta: Float = accumulate ? 1 : 0
        switch encoding {
        case .dense:
            BLAS.gemm(transB: true, m: count, n: range.count, k: columns, a: x, lda: ldx,
                      b: dense + range.lowerBound * columns, ldb: columns, beta: beta, c: y + range.lowerBound, ldc: ldy)
        case .nibbles, .bytes:
            if count >= Self.gemmRows {
                for o in range { dequantize(row: o, into: tile + (o - range.lowerBound) * columns) }
                BLAS.gemm(transB: true, m: count, n: range.count, k: columns, a: x, lda: ldx, b: tile, ldb: columns,
                          beta: beta, c: y + range.lowerBound, ldc: ldy)
            } else {
                precondition(inputs.count == count && inputs.columns == columns, "PackedMatrix: inputs were not quantized for this product")
                qk_multiply_rows(storage.assumingMemoryBound(to: UInt8.self), scales, offsets, columns, valueBits,
                                 Int32(groupShift), Int32(bias), range.lowerBound, range.upperBound, inputs.values,
                                 inputs.steps, inputs.sums, count, y, ldy, accumulate ? 1 : 0)
            }
        }
    }
}

/// Input rows quantized for the integer kernels (`qk_quantize_inputs`): 16-bit values with one step
/// per 32 columns, and exact float sums of every 16 and every 32 columns. Buffers belong to a `TileScratch`.
struct QuantizedInputs {
    var count = 0
    var columns = 0
    let values: UnsafeMutablePointer<Int16>
    let steps: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Float>
}
