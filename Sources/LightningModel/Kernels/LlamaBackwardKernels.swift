/// Backward passes of the Llama-family layers that the GPT does not have (RMSNorm, SwiGLU; rotary
/// embeddings go back through `RotaryEmbedding.rotate(inverse:)`), for training real models.
/// `LlamaBackwardKernelTests` checks them against finite differences of a double-precision forward.
extension RMSNormKernel {
    /// Per-worker scratch floats `backward` needs for the gain's partial sums.
    static func scratchCount(width: Int, workers: Int) -> Int { workers * width }

    /// For `y = x · r · g` with `r = 1/√(mean(x²) + ε)`: accumulates `dInput += ∂L/∂x` and
    /// `dGain += Σ_rows dy · x · r` (unless `dGain` is nil: a frozen gain) from `dOutput`. Rows are
    /// `width` floats, contiguous. `scratch` holds
    /// `scratchCount(width:workers:)` floats; the gain's partial sums are reduced in chunk order
    /// (repeatable for a given worker count).
    static func backward(
        _ pool: WorkerPool, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, gain: UnsafePointer<Float>,
        dInput: UnsafeMutablePointer<Float>, dGain: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
        rows: Int, width: Int, epsilon: Float
    ) {
        let work = rows * width * 8
        let chunks = pool.chunkCount(rows, work: work)
        pool.chunks(rows, work: work) { range, chunk in
            let partial = scratch + chunk * width
            partial.update(repeating: 0, count: width)
            for r in range {
                let x = input + r * width, dy = dOutput + r * width, dx = dInput + r * width
                let scale = inverseRMS(x, width: width, epsilon: epsilon)
                // ∂L/∂x_i = r·u_i − r³·x_i·Σ_j(u_j·x_j)/n with u = dy·g
                var dot: Float = 0
                for i in 0..<width {
                    dot += dy[i] * gain[i] * x[i]
                    partial[i] += dy[i] * x[i] * scale
                }
                let correction = scale * scale * scale * dot / Float(width)
                for i in 0..<width { dx[i] += scale * dy[i] * gain[i] - correction * x[i] }
            }
        }
        guard let dGain else { return }
        for chunk in 0..<chunks {
            let partial = scratch + chunk * width
            for i in 0..<width { dGain[i] += partial[i] }
        }
    }
}

extension SwiGLUKernel {
    /// For `h = silu(gate) · up` over `[gate | up]` rows (`2 · width` floats, `ldInput` apart): writes
    /// `[∂L/∂gate | ∂L/∂up]` rows into `dInput` (same layout) from `dOutput` rows of `width` floats
    /// (`ldOutput` apart).
    static func backward(
        _ pool: WorkerPool, dOutput: UnsafePointer<Float>, ldOutput: Int, input: UnsafePointer<Float>, ldInput: Int,
        dInput: UnsafeMutablePointer<Float>, rows: Int, width: Int
    ) {
        pool.chunks(rows, work: rows * width * 12) { range, _ in
            for r in range {
                let g = input + r * ldInput, u = g + width, dh = dOutput + r * ldOutput
                let dg = dInput + r * ldInput, du = dg + width
                for i in 0..<width {
                    let sigmoid = 1 / (1 + VectorMath.exp(-g[i]))
                    let silu = g[i] * sigmoid
                    // silu'(g) = σ(g)·(1 + g·(1 − σ(g)))
                    dg[i] = dh[i] * u[i] * sigmoid * (1 + g[i] * (1 - sigmoid))
                    du[i] = dh[i] * silu
                }
            }
        }
    }
}
