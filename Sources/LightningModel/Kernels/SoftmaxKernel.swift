import Foundation

/// Softmax passes over rows of contiguous floats: the causal attention softmax (forward and
/// backward, O(T) per row) and the output head's log-softmax with entropy.
enum SoftmaxKernel {
    /// In place: row `i` of `scores` (row stride `ld`) becomes the softmax of its first
    /// `firstValid + i` entries; entries up to `width` after those are set to zero (masked).
    static func causalForward(
        _ scores: UnsafeMutablePointer<Float>, rows: Int, ld: Int, width: Int, firstValid: Int
    ) {
        for i in 0..<rows {
            let row = scores + i * ld
            let valid = Swift.min(width, firstValid + i)
            let total = exponentiate(row, valid, shift: VectorMath.max(row, valid), scale: 1)
            let inverse = 1 / total
            for j in 0..<valid { row[j] *= inverse }
            if valid < width { (row + valid).update(repeating: 0, count: width - valid) }
        }
    }

    /// In place `row[j] = exp(row[j]·scale − shift)`; returns the sum.
    @inline(__always)
    static func exponentiate(_ row: UnsafeMutablePointer<Float>, _ n: Int, shift: Float, scale: Float) -> Float {
        var acc = SIMD8<Float>()
        var j = 0
        while j + 8 <= n {
            let e = VectorMath.exp(VectorMath.load(row, j) * scale - shift)
            VectorMath.store(e, row, j)
            acc += e
            j += 8
        }
        var total = VectorMath.lanes(acc)
        while j < n {
            let e = VectorMath.exp(row[j] * scale - shift)
            row[j] = e
            total += e
            j += 1
        }
        return total
    }

    /// In place: `grad` (∂L/∂P) becomes ∂L/∂S = P ⊙ (∂L/∂P − Σ_j ∂L/∂P_j·P_j) on the causal part, zero
    /// elsewhere. Same row layout as `causalForward`.
    static func causalBackward(
        probs: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>, rows: Int, ld: Int, width: Int,
        firstValid: Int
    ) {
        for i in 0..<rows {
            let p = probs + i * ld
            let g = grad + i * ld
            let valid = Swift.min(width, firstValid + i)
            let inner = VectorMath.dot(p, g, valid)
            for j in 0..<valid { g[j] = p[j] * (g[j] - inner) }
            if valid < width { (g + valid).update(repeating: 0, count: width - valid) }
        }
    }

    /// Writes `log_softmax(logits / temperature)` into `output` (which may be `logits`) and returns
    /// the entropy of that distribution.
    static func logSoftmax(
        _ logits: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int, temperature: Float
    ) -> Float {
        let inverseT = 1 / temperature
        let m = VectorMath.max(logits, count) * inverseT
        var acc = SIMD8<Float>()
        var j = 0
        while j + 8 <= count {
            acc += VectorMath.exp(VectorMath.load(logits, j) * inverseT - m)
            j += 8
        }
        var total = VectorMath.lanes(acc)
        while j < count { total += VectorMath.exp(logits[j] * inverseT - m); j += 1 }
        let shift = m + Foundation.log(total)
        var accH = SIMD8<Float>()
        j = 0
        while j + 8 <= count {
            let lp = VectorMath.load(logits, j) * inverseT - shift
            VectorMath.store(lp, output, j)
            accH += VectorMath.exp(lp) * lp
            j += 8
        }
        var entropy = -VectorMath.lanes(accH)
        while j < count {
            let lp = logits[j] * inverseT - shift
            output[j] = lp
            entropy -= VectorMath.exp(lp) * lp
            j += 1
        }
        return entropy
    }

    /// In place: a row of log-probabilities becomes ∂L/∂logits for
    /// `L = gLogprob·logp[target] + gEntropy·H`, at the same temperature.
    static func logSoftmaxBackward(
        _ row: UnsafeMutablePointer<Float>, count: Int, target: Int, gLogprob: Float, gEntropy: Float,
        entropy: Float, temperature: Float
    ) {
        let inverseT = 1 / temperature
        // With s = logits/T: ∂logp_t/∂s_j = δ_tj − p_j and ∂H/∂s_j = −p_j·(logp_j + H).
        let a = -gLogprob * inverseT, b = -gEntropy * inverseT
        var j = 0
        while j + 8 <= count {
            let lp = VectorMath.load(row, j)
            let p = VectorMath.exp(lp)
            VectorMath.store(a * p + b * p * (lp + entropy), row, j)
            j += 8
        }
        while j < count {
            let lp = row[j]
            let p = VectorMath.exp(lp)
            row[j] = a * p + b * p * (lp + entropy)
            j += 1
        }
        row[target] += gLogprob * inverseT
    }
}
