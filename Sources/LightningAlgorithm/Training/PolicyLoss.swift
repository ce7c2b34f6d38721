import Foundation

/// The LightningRL loss per token, with its analytic derivatives (the hyperparameters and the
/// per-token math; `PolicyLoss+Batch` sums it over a batch).
///
/// Policy term: PPO's clipped ratio `max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε))`, ρ = exp(logπ − logπ_old),
/// and for A < 0 the dual clip `min(that, −A·c)` that bounds the loss (and zeroes the gradient)
/// when a bad action's ratio runs away above c. Optional `low_var_kl` penalty to a frozen
/// reference, optional entropy bonus, and for PPO a (clipped) value loss.
public struct PolicyLoss: Sendable, Hashable {
    /// ε of the clipped ratio.
    public var clipRatio: Double
    /// c of the dual clip (applied to negative advantages); nil disables it.
    public var dualClip: Double?
    /// Weight of the `low_var_kl` penalty (applied when reference logprobs are given).
    public var klCoefficient: Double
    /// Weight of the entropy bonus (the loss subtracts `coefficient · entropy`).
    public var entropyCoefficient: Double
    /// Weight of the value loss (applied when values and returns are given).
    public var valueCoefficient: Double
    /// Clip range of the value prediction around the old value; nil: unclipped.
    public var valueClip: Double?

    public init(
        clipRatio: Double = 0.2, dualClip: Double? = 3, klCoefficient: Double = 0.001, entropyCoefficient: Double = 0,
        valueCoefficient: Double = 0.5, valueClip: Double? = 0.5
    ) {
        self.clipRatio = clipRatio
        self.dualClip = dualClip
        self.klCoefficient = klCoefficient
        self.entropyCoefficient = entropyCoefficient
        self.valueCoefficient = valueCoefficient
        self.valueClip = valueClip
    }

    /// Bound of the log-ratio (and of `ref − logπ` in the KL), as in verl, so `exp` never overflows.
    static let logRatioBound = 20.0
    /// Bound of the `low_var_kl` value, as in verl.
    static let klBound = 10.0

    /// The policy term of one token.
    public struct PolicyTerm: Sendable, Hashable {
        public var loss: Double
        /// d loss / d logπ.
        public var dLogprob: Double
        public var ratio: Double
        /// The ratio clip is active (the gradient is zero).
        public var clipped: Bool
        /// The dual clip is active (A < 0 and −A·ρ > −A·c; the gradient is zero).
        public var dualClipped: Bool
    }

    public func policyTerm(logprob: Double, oldLogprob: Double, advantage a: Double) -> PolicyTerm {
        let logRatio = logprob - oldLogprob
        let bounded = min(max(logRatio, -Self.logRatioBound), Self.logRatioBound)
        let ratio = exp(bounded)
        let dRatio = bounded == logRatio ? ratio : 0  // d ρ / d logπ
        let unclipped = -a * ratio
        let clippedLoss = -a * min(max(ratio, 1 - clipRatio), 1 + clipRatio)
        let clipped = clippedLoss > unclipped
        let loss = max(unclipped, clippedLoss)
        if a < 0, let dualClip, loss > -a * dualClip {
            return PolicyTerm(loss: -a * dualClip, dLogprob: 0, ratio: ratio, clipped: false, dualClipped: true)
        }
        return PolicyTerm(loss: loss, dLogprob: clipped ? 0 : -a * dRatio, ratio: ratio, clipped: clipped, dualClipped: false)
    }

    /// verl's `low_var_kl` (Schulman's k3 estimator of KL(π‖π_ref)): with d = clamp(ref − logπ, ±20),
    /// `exp(d) − d − 1` clamped to [−10, 10]; its derivative with respect to logπ is `1 − exp(d)`
    /// (0 where a clamp is active).
    public static func lowVarKL(logprob: Double, reference: Double) -> (value: Double, dLogprob: Double) {
        let raw = reference - logprob
        let d = min(max(raw, -logRatioBound), logRatioBound)
        let kl = exp(d) - d - 1
        let value = min(max(kl, -klBound), klBound)
        let active = d == raw && value == kl
        return (value, active ? 1 - exp(d) : 0)
    }

    /// The value term of one token: `½(v − target)²`, or with `valueClip` verl's
    /// `½·max((v − target)², (clip(v, old ± clip) − target)²)`.
    public func valueTerm(value v: Double, oldValue: Double, target: Double) -> (loss: Double, dValue: Double, clipped: Bool) {
        let plain = (v - target) * (v - target)
        guard let valueClip else { return (0.5 * plain, v - target, false) }
        let bounded = min(max(v, oldValue - valueClip), oldValue + valueClip)
        let clippedLoss = (bounded - target) * (bounded - target)
        if clippedLoss > plain { return (0.5 * clippedLoss, 0, true) }
        return (0.5 * plain, v - target, false)
    }
}
