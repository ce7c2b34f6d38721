extension PackedMatrix {
    /// Input rows from which quantized products decode tiles of weights to floats and call `sgemm`
    /// instead of the vector kernels (below it, decoding each weight vector once per four input rows
    /// is faster than decoding it once into memory).
    static let gemmRows = 16

    /// Output rows of one decoded tile: large enough that `sgemm` runs at full speed, small enough that
    /// a tile of 1,536-column rows (590 KB) stays in the core's cache.
    static let tileRows = 96

    /// `Y[:, range] = X · W[range]ᵀ` (or `+=` when `accumulate`), on the calling thread: rows of `X` are
    /// `ldx` floats apart, rows of `Y` `ldy`, and `y` points at column 0 of this matrix's output.
    func multiply(
        rows range: Range<Int>, input x: UnsafePointer<Float>, ldx: Int, count: Int, output y: UnsafeMutablePointer<Float>,
        ldy: Int, accumulate: Bool, tile: UnsafeMutablePointer<Float>
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
                multiplyRows(range, input: x, ldx: ldx, count: count, output: y, ldy: ldy, accumulate: accumulate)
            }
        }
    }

    /// The vector kernels over output rows `range`: four input rows per decoded weight vector.
    private func multiplyRows(
        _ range: Range<Int>, input x: UnsafePointer<Float>, ldx: Int, count: Int, output y: UnsafeMutablePointer<Float>,
        ldy: Int, accumulate: Bool
    ) {
        let raw = UnsafeRawPointer(x)
        for o in range {
            var r = 0
            while r + 4 <= count {
                let v = dot4(row: o, raw + r * ldx * 4, ldx)
                for i in 0..<4 {
                    let out = y + (r + i) * ldy + o
                    out.pointee = accumulate ? out.pointee + v[i] : v[i]
                }
                r += 4
            }
            while r < count {
                let v = dot(row: o, raw + r * ldx * 4)
                let out = y + r * ldy + o
                out.pointee = accumulate ? out.pointee + v : v
                r += 1
            }
        }
    }
}
