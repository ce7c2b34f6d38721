/// AdamW hyperparameters (the learning rate is given per step).
///
/// Decoupled weight decay as in PyTorch's `AdamW`: `p ← p·(1 − lr·wd)`, then the bias-corrected Adam
/// update `p ← p − lr·m̂/(√v̂ + ε)`. Decay applies to the block matrices and the value head weight only;
/// embeddings, LayerNorm gains and all biases are not decayed (`ParameterLayout.Tensor.decays`).
public struct AdamW: Sendable, Codable, Hashable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float

    public init(beta1: Float = 0.9, beta2: Float = 0.95, epsilon: Float = 1e-8, weightDecay: Float = 0.1) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }
}

/// One AdamW step over a flat parameter buffer, and the global-norm clipping before it: the pieces every
/// trainable model shares.
extension AdamW {
    /// A run of parameters and whether it is decayed.
    struct Span {
        let range: Range<Int>
        let decays: Bool
    }

    /// Updates `parameters` from `gradients` with the moments, at `step` (1 for the first update), one
    /// task per span.
    func update(
        _ pool: WorkerPool, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
        firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>, spans: [Span],
        learningRate: Float, step: Int
    ) {
        let b1 = beta1, b2 = beta2, eps = epsilon, weightDecay = weightDecay
        let correction1 = Float(1 - Double(b1).pow(step))
        let correction2 = Float(1 - Double(b2).pow(step))
        let stepSize = learningRate / correction1
        let inverseSqrtCorrection2 = 1 / correction2.squareRoot()
        pool.run(spans.count) { index, _ in
            let span = spans[index]
            let decay = 1 - learningRate * (span.decays ? weightDecay : 0)
            for i in span.range {
                let gi = g[i]
                let mi = b1 * m[i] + (1 - b1) * gi
                let vi = b2 * v[i] + (1 - b2) * gi * gi
                m[i] = mi
                v[i] = vi
                // m̂/(√v̂ + ε) with m̂ = m/c1, v̂ = v/c2
                p[i] = p[i] * decay - stepSize * mi / (vi.squareRoot() * inverseSqrtCorrection2 + eps)
            }
        }
    }

    /// Scales `count` gradients so that their global L2 norm is at most `maxNorm` (no-op when it already
    /// is, or when `maxNorm` ≤ 0). Returns the norm before clipping.
    static func clip(_ pool: WorkerPool, _ g: UnsafeMutablePointer<Float>, count: Int, maxNorm: Float) -> Float {
        let norm = Float(VectorMath.sumOfSquaresDouble(g, count).squareRoot())
        if maxNorm > 0, norm > maxNorm {
            let scale = maxNorm / (norm + 1e-6)
            pool.chunks(count, alignment: 16) { range, _ in
                for i in range { g[i] *= scale }
            }
        }
        return norm
    }
}

extension TrainingModel {
    /// The global L2 norm of the accumulated gradients.
    public func gradientNorm() -> Float {
        Float(VectorMath.sumOfSquaresDouble(gradients.pointer, layout.count).squareRoot())
    }

    /// Scales the gradients so that their global L2 norm is at most `maxNorm` (no-op when it already is,
    /// or when `maxNorm` ≤ 0). Returns the norm before clipping.
    @discardableResult
    public func clipGradients(maxNorm: Float) -> Float {
        AdamW.clip(pool, gradients.pointer, count: layout.count, maxNorm: maxNorm)
    }

    /// One AdamW update from the accumulated gradients (which are left in place; call
    /// `zeroGradients()` before accumulating the next ones).
    public func step(learningRate: Float) {
        optimizerStep += 1
        let spans = layout.tensors.map { AdamW.Span(range: $0.offset..<($0.offset + $0.count), decays: $0.decays) }
        optimizer.update(pool, parameters: parameters.pointer, gradients: gradients.pointer,
                         firstMoment: firstMoment.pointer, secondMoment: secondMoment.pointer, spans: spans,
                         learningRate: learningRate, step: optimizerStep)
        pending = nil
    }
}

private extension Double {
    func pow(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<n { result *= self }
        return result
    }
}
