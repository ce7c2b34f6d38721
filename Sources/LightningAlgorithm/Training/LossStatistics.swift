/// Loss statistics as weighted sums, so that micro-batches add up; `weight` is the total weight.
public struct LossStatistics: Sendable, Hashable {
    /// The total loss (policy + KL + entropy + value terms with their coefficients).
    public var loss = 0.0
    public var policyLoss = 0.0
    /// `low_var_kl` to the reference (0 without one).
    public var kl = 0.0
    public var entropy = 0.0
    public var valueLoss = 0.0
    /// Share of tokens whose ratio clip was active.
    public var clipFraction = 0.0
    /// Share of tokens whose dual clip was active.
    public var dualClipFraction = 0.0
    public var valueClipFraction = 0.0
    /// mean(logπ_old − logπ), verl's `ppo_kl`.
    public var approxKL = 0.0
    public var weight = 0.0
    /// Trained tokens.
    public var tokens = 0

    public init() {}

    public static func + (a: LossStatistics, b: LossStatistics) -> LossStatistics {
        var s = a
        s.loss += b.loss
        s.policyLoss += b.policyLoss
        s.kl += b.kl
        s.entropy += b.entropy
        s.valueLoss += b.valueLoss
        s.clipFraction += b.clipFraction
        s.dualClipFraction += b.dualClipFraction
        s.valueClipFraction += b.valueClipFraction
        s.approxKL += b.approxKL
        s.weight += b.weight
        s.tokens += b.tokens
        return s
    }
}
