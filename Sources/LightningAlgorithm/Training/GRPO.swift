import Foundation

/// Group-relative advantages (GRPO) at rollout level.
///
/// A group is the rollouts of one task (same `groupKey`). Each rollout counts once in its group's
/// mean and standard deviation, whatever its number of calls, so an agent that makes more calls does
/// not tilt the baseline. The rollout's normalized advantage `Â = (R − mean) / (std + ε)` goes to
/// each of its calls as `γᵏ · Â + intermediate`: discounting shrinks credit toward earlier calls
/// without flipping its sign, and intermediate rewards are added as they are (in advantage units),
/// so a penalty weighs the same in every group. Groups whose rewards are all equal carry no signal
/// and are skipped; so are groups of one (rollouts with no group key).
public struct GRPO: Sendable, Hashable {
    /// ε added to the standard deviation.
    public var epsilon: Double
    /// Divide by the group's standard deviation (false: Dr. GRPO's mean-centring only).
    public var scaleByStd: Bool
    /// Bessel-corrected standard deviation (N − 1), as `torch.std` in verl.
    public var unbiasedStd: Bool

    public init(epsilon: Double = 1e-6, scaleByStd: Bool = true, unbiasedStd: Bool = true) {
        self.epsilon = epsilon
        self.scaleByStd = scaleByStd
        self.unbiasedStd = unbiasedStd
    }

    public func advantages(_ rollouts: [CreditedRollout]) -> GroupAdvantages {
        var result = GroupAdvantages()
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (index, rollout) in rollouts.enumerated() {
            guard let reward = rollout.finalReward, reward.isFinite else {
                result.rolloutsWithoutReward.append(rollout.rolloutID)
                continue
            }
            let key = rollout.groupKey ?? "rollout:\(rollout.rolloutID)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(index)
        }
        for key in order {
            let members = groups[key] ?? []
            let rewards = members.map { rollouts[$0].finalReward ?? 0 }
            let low = rewards.min() ?? 0, high = rewards.max() ?? 0
            guard high - low > 1e-12 else {
                result.skippedGroups.append(SkippedGroup(key: key, rolloutIDs: members.map { rollouts[$0].rolloutID }, reward: low))
                continue
            }
            let mean = rewards.reduce(0, +) / Double(rewards.count)
            let squares = rewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            let std = sqrt(squares / Double(unbiasedStd ? rewards.count - 1 : rewards.count))
            let scale = scaleByStd ? 1 / (std + epsilon) : 1
            result.groups += 1
            for index in members {
                let rollout = rollouts[index]
                let normalized = ((rollout.finalReward ?? 0) - mean) * scale
                result.advantages[rollout.rolloutID] = rollout.credits.map { $0.discount * normalized + $0.intermediate }
            }
        }
        return result
    }
}

/// Per-call advantages of the rollouts GRPO kept, and what it left out.
public struct GroupAdvantages: Sendable, Hashable {
    /// Rollout id → one advantage per trained call, in call order.
    public var advantages: [String: [Double]] = [:]
    /// Number of groups that produced advantages.
    public var groups = 0
    /// Groups whose rewards were all equal (including groups of one).
    public var skippedGroups: [SkippedGroup] = []
    /// Rollouts with no final reward.
    public var rolloutsWithoutReward: [String] = []

    public init() {}
}

/// A group left out of training because all its rollouts scored the same.
public struct SkippedGroup: Sendable, Hashable {
    public var key: String
    public var rolloutIDs: [String]
    public var reward: Double

    public init(key: String, rolloutIDs: [String], reward: Double) {
        self.key = key
        self.rolloutIDs = rolloutIDs
        self.reward = reward
    }
}
