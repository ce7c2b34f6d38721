/// LayerNorm over the last dimension: `y = (x − mean) / sqrt(var + 1e-5) · gain + bias`.
enum LayerNormKernel {
    static let epsilon: Float = 1e-5

    /// Floats of scratch `backward` needs.
    static func scratchCount(width: Int, workers: Int) -> Int { workers * 3 * width }

    /// Normalizes `rows` rows of `width`; stores each row's mean and reciprocal std when asked (for
    /// the backward pass).
    static func forward(
        _ pool: WorkerPool, input: UnsafePointer<Float>, gain: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>?,
        rstd: UnsafeMutablePointer<Float>?, rows: Int, width: Int
    ) {
        let inverseWidth = 1 / Float(width)
        pool.chunks(rows, alignment: 8, work: rows * width * 4) { range, _ in
            for r in range {
                let x = input + r * width
                let y = output + r * width
                let mu = VectorMath.sum(x, width) * inverseWidth
                let variance = VectorMath.squaredDeviation(x, width, center: mu) * inverseWidth
                let rs = 1 / (variance + epsilon).squareRoot()
                for i in 0..<width { y[i] = (x[i] - mu) * rs * gain[i] + bias[i] }
                mean?[r] = mu
                rstd?[r] = rs
            }
        }
    }

    /// Accumulates `dInput += ∂L/∂x`, `dGain += Σ dy·x̂`, `dBias += Σ dy` from `dOutput`.
    /// `scratch` holds `scratchCount(width:workers:)` floats.
    static func backward(
        _ pool: WorkerPool, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, gain: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>,
        dGain: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, rows: Int, width: Int
    ) {
        let chunks = pool.chunkCount(rows, alignment: 8, work: rows * width * 8)
        pool.chunks(rows, alignment: 8, work: rows * width * 8) { range, chunk in
            let partial = scratch + chunk * 3 * width
            let partialGain = partial, partialBias = partial + width, xhat = partial + 2 * width
            partialGain.update(repeating: 0, count: 2 * width)
            backwardRows(range, dOutput: dOutput, input: input, gain: gain, mean: mean, rstd: rstd,
                         dInput: dInput, dGain: partialGain, dBias: partialBias, xhat: xhat, width: width)
        }
        // Reduce the per-chunk sums in chunk order (repeatable).
        for chunk in 0..<chunks {
            let partial = scratch + chunk * 3 * width
            for i in 0..<width {
                dGain[i] += partial[i]
                dBias[i] += partial[width + i]
            }
        }
    }

    @inline(__always)
    private static func backwardRows(
        _ rows: Range<Int>, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, gain: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>,
        dGain: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>, xhat: UnsafeMutablePointer<Float>,
        width: Int
    ) {
        let inverseWidth = 1 / Float(width)
        for r in rows {
            let x = input + r * width
            let dy = dOutput + r * width
            let dx = dInput + r * width
            let mu = mean[r], rs = rstd[r]
            for i in 0..<width {
                let h = (x[i] - mu) * rs
                xhat[i] = h
                dGain[i] += dy[i] * h
                dBias[i] += dy[i]
            }
            // dx̂ = dy·g; dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
            var accD = SIMD8<Float>(), accDX = SIMD8<Float>()
            var i = 0
            while i + 8 <= width {
                let d = VectorMath.load(dy, i) * VectorMath.load(gain, i)
                accD += d
                accDX += d * VectorMath.load(xhat, i)
                i += 8
            }
            var sumD = VectorMath.lanes(accD), sumDX = VectorMath.lanes(accDX)
            while i < width { let d = dy[i] * gain[i]; sumD += d; sumDX += d * xhat[i]; i += 1 }
            let meanD = sumD * inverseWidth, meanDX = sumDX * inverseWidth
            for i in 0..<width { dx[i] += rs * (dy[i] * gain[i] - meanD - xhat[i] * meanDX) }
        }
    }
}
