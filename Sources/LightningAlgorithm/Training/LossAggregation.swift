/// How token losses are averaged.
public enum LossAggregation: Sendable, Hashable {
    /// Mean over each rollout's trained tokens, then mean over rollouts: every rollout weighs the same
    /// however many calls and tokens it made (LightningRL's default).
    case perRolloutMean
    /// Mean over all trained tokens of the batch (long rollouts weigh more).
    case tokenMean

    /// The weight of every response token of `rows` (parallel to `masks`), summing to 1 over the
    /// batch (0 when nothing is trained). `rollouts[i]` names the rollout of row i.
    public func weights(rollouts: [String], masks: [[Float]]) -> [[Float]] {
        switch self {
        case .tokenMean:
            let total = masks.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }
            return masks.map { mask in mask.map { $0 > 0 ? 1 / Float(total) : 0 } }
        case .perRolloutMean:
            var counts: [String: Int] = [:]
            for (rollout, mask) in zip(rollouts, masks) {
                counts[rollout, default: 0] += mask.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
            }
            let trained = counts.values.filter { $0 > 0 }.count
            return zip(rollouts, masks).map { rollout, mask in
                let count = counts[rollout] ?? 0
                return mask.map { $0 > 0 ? 1 / (Float(trained) * Float(count)) : 0 }
            }
        }
    }
}
