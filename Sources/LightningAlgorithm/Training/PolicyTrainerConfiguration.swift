import LightningModel

/// Hyperparameters of `PolicyTrainer`. The defaults follow verl's PPO/GRPO actor where it has one,
/// scaled for the small models trained here.
public struct PolicyTrainerConfiguration: Sendable, Hashable {
    /// AdamW learning rate (1e-5; large models use 1e-6, small ones tolerate more).
    public var learningRate: Float
    /// Ratio clip 0.2, dual clip 3, KL coefficient 0.001 (with a reference model), entropy
    /// coefficient 0, value coefficient 0.5, value clip 0.5.
    public var loss: PolicyLoss
    /// Global gradient-norm clip (1.0); 0 disables it.
    public var maxGradNorm: Float
    /// Rollouts per optimizer step (16). All rows of a rollout share a mini-batch, so the per-rollout
    /// mean is exact.
    public var miniBatchRollouts: Int
    /// Rows per forward/backward pass (8): gradients accumulate over a mini-batch's passes, so this
    /// bounds memory without changing the result.
    public var microBatchRows: Int
    /// Passes over the transitions (1).
    public var epochs: Int
    /// How token losses are averaged (per-rollout mean).
    public var aggregation: LossAggregation
    /// false (default): the ratio's denominator is the recorded sampling logprob, the true behaviour
    /// policy even when the rollout ran on older weights. true: recompute it with the current weights
    /// before the update (the ratio starts at 1, as verl does when the sampler's numerics differ).
    public var recomputeOldLogprobs: Bool
    /// Seed of the mini-batch shuffling.
    public var seed: UInt64

    public init(
        learningRate: Float = 1e-5, loss: PolicyLoss = PolicyLoss(), maxGradNorm: Float = 1, miniBatchRollouts: Int = 16,
        microBatchRows: Int = 8, epochs: Int = 1, aggregation: LossAggregation = .perRolloutMean,
        recomputeOldLogprobs: Bool = false, seed: UInt64 = 0
    ) {
        self.learningRate = learningRate
        self.loss = loss
        self.maxGradNorm = maxGradNorm
        self.miniBatchRollouts = miniBatchRollouts
        self.microBatchRows = microBatchRows
        self.epochs = epochs
        self.aggregation = aggregation
        self.recomputeOldLogprobs = recomputeOldLogprobs
        self.seed = seed
    }

    func validate() throws(ModelError) {
        guard learningRate >= 0, learningRate.isFinite, maxGradNorm >= 0, miniBatchRollouts > 0, microBatchRows > 0, epochs > 0,
              loss.clipRatio > 0, loss.clipRatio < 1, (loss.dualClip ?? 2) > 1 + loss.clipRatio
        else {
            throw ModelError(.invalidInput, "trainer settings out of range: \(self)")
        }
    }
}
