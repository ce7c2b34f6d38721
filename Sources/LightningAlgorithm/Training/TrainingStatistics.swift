/// What one `PolicyTrainer.train` call did: losses and diagnostics averaged over its optimizer steps
/// (each step's values are per-rollout means, see `LossAggregation`).
public struct TrainingStatistics: Sendable, Hashable {
    public var loss = 0.0
    public var policyLoss = 0.0
    public var kl = 0.0
    public var entropy = 0.0
    public var valueLoss = 0.0
    public var clipFraction = 0.0
    public var dualClipFraction = 0.0
    public var valueClipFraction = 0.0
    public var approxKL = 0.0
    /// Mean gradient norm before clipping.
    public var gradNorm = 0.0
    /// Optimizer steps taken.
    public var steps = 0
    /// Trained tokens, summed over epochs.
    public var tokens = 0
    /// Transitions trained on, and those left out (inconsistent arrays, nothing to train, or not packable).
    public var transitions = 0
    public var skippedTransitions = 0

    public init() {}

    /// Adds one optimizer step's statistics (weighted sums) to the running means.
    mutating func add(step s: LossStatistics, gradNorm norm: Float) {
        let w = s.weight > 0 ? s.weight : 1
        let k = Double(steps), next = Double(steps + 1)
        func mean(_ current: Double, _ value: Double) -> Double { (current * k + value) / next }
        loss = mean(loss, s.loss / w)
        policyLoss = mean(policyLoss, s.policyLoss / w)
        kl = mean(kl, s.kl / w)
        entropy = mean(entropy, s.entropy / w)
        valueLoss = mean(valueLoss, s.valueLoss / w)
        clipFraction = mean(clipFraction, s.clipFraction / w)
        dualClipFraction = mean(dualClipFraction, s.dualClipFraction / w)
        valueClipFraction = mean(valueClipFraction, s.valueClipFraction / w)
        approxKL = mean(approxKL, s.approxKL / w)
        gradNorm = mean(gradNorm, Double(norm))
        tokens += s.tokens
        steps += 1
    }
}

/// What one supervised (SFT) step did.
public struct SupervisedStatistics: Sendable, Hashable {
    /// Mean negative log-likelihood per response token.
    public var loss: Double
    public var tokens: Int
    /// Gradient norm before clipping.
    public var gradNorm: Double
    public var demonstrations: Int
    /// Demonstrations that cannot be packed (empty, too long, unknown tokens).
    public var skipped: Int

    public init(loss: Double = 0, tokens: Int = 0, gradNorm: Double = 0, demonstrations: Int = 0, skipped: Int = 0) {
        self.loss = loss
        self.tokens = tokens
        self.gradNorm = gradNorm
        self.demonstrations = demonstrations
        self.skipped = skipped
    }
}
