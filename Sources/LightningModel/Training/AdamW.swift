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

extension TrainingModel {
    /// The global L2 norm of the accumulated gradients.
    public func gradientNorm() -> Float {
        Float(VectorMath.sumOfSquaresDouble(gradients.pointer, layout.count).squareRoot())
    }

    /// Scales the gradients so that their global L2 norm is at most `maxNorm` (no-op when it already is,
    /// or when `maxNorm` ≤ 0). Returns the norm before clipping.
    @discardableResult
    public func clipGradients(maxNorm: Float) -> Float {
        let norm = gradientNorm()
        if maxNorm > 0, norm > maxNorm {
            let scale = maxNorm / (norm + 1e-6)
            let g = gradients.pointer
            pool.chunks(layout.count, alignment: 16) { range, _ in
                for i in range { g[i] *= scale }
            }
        }
        return norm
    }

    /// One AdamW update from the accumulated gradients (which are left in place; call
    /// `zeroGradients()` before accumulating the next ones).
    public func step(learningRate: Float) {
        optimizerStep += 1
        let b1 = optimizer.beta1, b2 = optimizer.beta2, eps = optimizer.epsilon
        let correction1 = Float(1 - Double(b1).pow(optimizerStep))
        let correction2 = Float(1 - Double(b2).pow(optimizerStep))
        let p = parameters.pointer, g = gradients.pointer, m = firstMoment.pointer, v = secondMoment.pointer
        let stepSize = learningRate / correction1
        let inverseSqrtCorrection2 = 1 / correction2.squareRoot()
        let weightDecay = optimizer.weightDecay
        let tensors = layout.tensors
        pool.run(tensors.count) { index, _ in
            let tensor = tensors[index]
            let decay = 1 - learningRate * (tensor.decays ? weightDecay : 0)
            for i in tensor.offset..<(tensor.offset + tensor.count) {
                let gi = g[i]
                let mi = b1 * m[i] + (1 - b1) * gi
                let vi = b2 * v[i] + (1 - b2) * gi * gi
                m[i] = mi
                v[i] = vi
                // m̂/(√v̂ + ε) with m̂ = m/c1, v̂ = v/c2
                p[i] = p[i] * decay - stepSize * mi / (vi.squareRoot() * inverseSqrtCorrection2 + eps)
            }
        }
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
