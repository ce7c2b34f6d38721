/// RMSNorm: `y = x / √(mean(x²) + ε) · gain`, row by row, as Llama-family models normalize.
enum RMSNormKernel {
    /// Normalizes `rows` rows of `width` floats (`ld` apart in both buffers; `output` may equal `input`).
    static func forward(
        _ pool: WorkerPool, input: UnsafePointer<Float>, gain: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        rows: Int, width: Int, ld: Int, epsilon: Float
    ) {
        pool.chunks(rows, work: rows * width * 4) { range, _ in
            for r in range { row(input + r * ld, gain: gain, output: output + r * ld, width: width, epsilon: epsilon) }
        }
    }

    /// `1/√(mean(x²) + ε)` of one row.
    @inline(__always)
    static func inverseRMS(_ x: UnsafePointer<Float>, width: Int, epsilon: Float) -> Float {
        1 / (VectorMath.dot(x, x, width) / Float(width) + epsilon).squareRoot()
    }

    @inline(__always)
    static func row(_ x: UnsafePointer<Float>, gain: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
                    width: Int, epsilon: Float) {
        let scale = inverseRMS(x, width: width, epsilon: epsilon)
        var i = 0
        let rx = UnsafeRawPointer(x), rg = UnsafeRawPointer(gain), ry = UnsafeMutableRawPointer(y)
        while i + 16 <= width {
            let v = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * scale
            ry.storeBytes(of: v * rg.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self), toByteOffset: i * 4,
                          as: SIMD16<Float>.self)
            i += 16
        }
        while i < width {
            y[i] = x[i] * scale * gain[i]
            i += 1
        }
    }
}

/// SwiGLU: `h = silu(gate) · up` with `silu(g) = g / (1 + e^(−g))`, over `[gate | up]` rows.
enum SwiGLUKernel {
    /// Reads rows of `2 · width` floats (`ldInput` apart), writes rows of `width` (`ldOutput` apart).
    static func forward(
        _ pool: WorkerPool, input: UnsafePointer<Float>, ldInput: Int, output: UnsafeMutablePointer<Float>,
        ldOutput: Int, rows: Int, width: Int
    ) {
        pool.chunks(rows, work: rows * width * 8) { range, _ in
            for r in range {
                let g = input + r * ldInput, u = g + width, h = output + r * ldOutput
                var i = 0
                while i + 8 <= width {
                    let gate = VectorMath.load(g, i)
                    let silu = gate / (1 + VectorMath.exp(-gate))
                    VectorMath.store(silu * VectorMath.load(u, i), h, i)
                    i += 8
                }
                while i < width {
                    h[i] = g[i] / (1 + VectorMath.exp(-g[i])) * u[i]
                    i += 1
                }
            }
        }
    }
}
