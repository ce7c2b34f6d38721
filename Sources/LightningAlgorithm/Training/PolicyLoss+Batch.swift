import LightningModel

/// Per-position inputs of the loss over one packed batch (all `[positions]`, row-major like
/// `TokenBatch`).
public struct LossInputs: Sendable {
    /// Current logprobs (from `TrainingModel.forward`).
    public var logprobs: [Float]
    /// Behaviour-policy logprobs.
    public var oldLogprobs: [Float]
    public var advantages: [Float]
    /// Aggregation weight of each position (`LossAggregation`); 0 leaves a position out.
    public var weights: [Float]
    /// Frozen reference logprobs: enables the KL penalty.
    public var referenceLogprobs: [Float]?
    /// Current entropy: enables the entropy bonus and its statistic.
    public var entropy: [Float]?
    /// Current values, values at sampling time and targets: enable the value loss.
    public var values: [Float]?
    public var oldValues: [Float]?
    public var returns: [Float]?

    public init(
        logprobs: [Float], oldLogprobs: [Float], advantages: [Float], weights: [Float], referenceLogprobs: [Float]? = nil,
        entropy: [Float]? = nil, values: [Float]? = nil, oldValues: [Float]? = nil, returns: [Float]? = nil
    ) {
        self.logprobs = logprobs
        self.oldLogprobs = oldLogprobs
        self.advantages = advantages
        self.weights = weights
        self.referenceLogprobs = referenceLogprobs
        self.entropy = entropy
        self.values = values
        self.oldValues = oldValues
        self.returns = returns
    }
}

extension PolicyLoss {
    /// The weighted sum of the token losses over a batch, its gradients with respect to the model's
    /// outputs (ready for `TrainingModel.backward`) and statistics (weighted sums; with weights
    /// summing to 1 over a mini-batch they are its means).
    public func evaluate(_ inputs: LossInputs) -> (gradients: OutputGradients, statistics: LossStatistics) {
        let n = inputs.logprobs.count
        var dLogprob = [Float](repeating: 0, count: n)
        let trainsEntropy = entropyCoefficient != 0 && inputs.entropy != nil
        var dEntropy: [Float]? = trainsEntropy ? [Float](repeating: 0, count: n) : nil
        let valueInputs = inputs.values.flatMap { v in inputs.returns.map { (v, $0, inputs.oldValues ?? v) } }
        var dValue: [Float]? = valueInputs == nil ? nil : [Float](repeating: 0, count: n)
        var s = LossStatistics()
        for i in 0..<n where inputs.weights[i] != 0 {
            let w = Double(inputs.weights[i])
            let logprob = Double(inputs.logprobs[i]), old = Double(inputs.oldLogprobs[i])
            let policy = policyTerm(logprob: logprob, oldLogprob: old, advantage: Double(inputs.advantages[i]))
            var loss = policy.loss
            var grad = policy.dLogprob
            s.policyLoss += w * policy.loss
            s.clipFraction += policy.clipped ? w : 0
            s.dualClipFraction += policy.dualClipped ? w : 0
            s.approxKL += w * (old - logprob)
            if let reference = inputs.referenceLogprobs {
                let kl = Self.lowVarKL(logprob: logprob, reference: Double(reference[i]))
                s.kl += w * kl.value
                loss += klCoefficient * kl.value
                grad += klCoefficient * kl.dLogprob
            }
            if let entropy = inputs.entropy {
                s.entropy += w * Double(entropy[i])
                if trainsEntropy {
                    loss -= entropyCoefficient * Double(entropy[i])
                    dEntropy?[i] = Float(-entropyCoefficient * w)
                }
            }
            if let (values, returns, oldValues) = valueInputs {
                let term = valueTerm(value: Double(values[i]), oldValue: Double(oldValues[i]), target: Double(returns[i]))
                s.valueLoss += w * term.loss
                s.valueClipFraction += term.clipped ? w : 0
                loss += valueCoefficient * term.loss
                dValue?[i] = Float(valueCoefficient * term.dValue * w)
            }
            dLogprob[i] = Float(grad * w)
            s.loss += w * loss
            s.weight += w
            s.tokens += 1
        }
        return (OutputGradients(dLogprob: dLogprob, dEntropy: dEntropy, dValue: dValue), s)
    }
}
