/// LayerNorm over the last dimension: `y = (x − mean) / sqrt(var + 1e-5) · gain + bias`.
enum LayerNormKernel {
    static let epsilon: Float = 1e-5

    /// Normalizes `rows` rows of `width`; stores each row's mean and reciprocal std when asked (for
    /// the backward pass).
    static func forward(
        input: UnsafePointer<Float>, gain: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>?,
        rstd: UnsafeMutablePointer<Float>?, rows: Int, width: Int
    ) {
        let inverseWidth = 1 / Float(width)
        for r in 0..<rows {
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

    /// Accumulates `dInput += ∂L/∂x`, `dGain += Σ dy·x̂`, `dBias += Σ dy` from `dOutput`.
    /// `scratch` holds `width` floats.
    static func backward(
        dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, gain: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>,
        dGain: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, rows: Int, width: Int
    ) {
        let inverseWidth = 1 / Float(width)
        let xhat = scratch
        for r in 0..<rows {
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
            var sumD: Float = 0, sumDX: Float = 0
            var accD = SIMD8<Float>(), accDX = SIMD8<Float>()
            var i = 0
            let rdy = UnsafeRawPointer(dy), rg = UnsafeRawPointer(gain), rh = UnsafeRawPointer(xhat)
            while i + 8 <= width {
                let d = rdy.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                    * rg.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                accD += d
                accDX += d * rh.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                i += 8
            }
            sumD = VectorMath.lanes(accD)
            sumDX = VectorMath.lanes(accDX)
            while i < width { let d = dy[i] * gain[i]; sumD += d; sumDX += d * xhat[i]; i += 1 }
            let meanD = sumD * inverseWidth, meanDX = sumDX * inverseWidth
            for i in 0..<width { dx[i] += rs * (dy[i] * gain[i] - meanD - xhat[i] * meanDX) }
        }
    }
}
