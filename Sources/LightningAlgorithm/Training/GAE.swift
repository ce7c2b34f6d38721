/// PPO advantages from a value head with generalized advantage estimation, at token level.
///
/// Formulation: LightningRL trains each LLM call as a single-turn episode whose outcome is the call's
/// credited reward (credit assignment already spread the rollout's reward across calls), so GAE runs
/// over the generated tokens of each call on its own. Token t of a call of T tokens is an action in
/// the state "prompt + tokens before t", whose value `V_t` the value head predicts at the position
/// that emits token t. Rewards are 0 except `r_{T−1}` = the call's reward, `V_T = 0` (the episode
/// ends), `δ_t = r_t + γ·V_{t+1} − V_t`, `A_t = δ_t + γλ·A_{t+1}`, and the value target is
/// `A_t + V_t`. In a merged row each call segment is its own episode; observation tokens get no
/// advantage. With the defaults γ = λ = 1 the advantage is the call's reward minus the value
/// (Monte-Carlo), as in verl's PPO defaults.
public struct GAE: Sendable, Hashable {
    public var gamma: Double
    public var lambda: Double
    /// Normalize the advantages of all trained tokens of the batch to mean 0, variance 1.
    public var whiten: Bool

    public init(gamma: Double = 1, lambda: Double = 1, whiten: Bool = true) {
        self.gamma = gamma
        self.lambda = lambda
        self.whiten = whiten
    }

    /// Fills `advantages`, `returns` and `oldValues` of every transition from `values` (per row,
    /// parallel to the response tokens: `PolicyTrainer.values(for:)`).
    public func apply(to transitions: inout [Transition], values: [[Float]]) {
        precondition(values.count == transitions.count, "one value array per transition")
        for index in transitions.indices {
            var row = transitions[index]
            let v = values[index].map(Double.init)
            precondition(v.count == row.responseTokenIDs.count, "one value per response token")
            var advantages = [Double](repeating: 0, count: v.count)
            for segment in row.segments where !segment.range.isEmpty {
                var running = 0.0
                for t in segment.range.reversed() {
                    let isLast = t == segment.range.upperBound - 1
                    let nextValue = isLast ? 0 : v[t + 1]
                    let delta = (isLast ? segment.reward : 0) + gamma * nextValue - v[t]
                    running = delta + gamma * lambda * running
                    advantages[t] = running
                }
            }
            row.returns = zip(advantages, v).map { Float($0 + $1) }
            row.oldValues = values[index]
            row.advantages = zip(advantages, row.lossMask).map { $1 > 0 ? Float($0) : 0 }
            transitions[index] = row
        }
        if whiten { Self.whiten(&transitions) }
    }

    /// Shifts and scales the trained tokens' advantages to mean 0 and standard deviation 1.
    static func whiten(_ transitions: inout [Transition]) {
        var count = 0.0, sum = 0.0, squares = 0.0
        for row in transitions {
            for (a, m) in zip(row.advantages, row.lossMask) where m > 0 {
                count += 1
                sum += Double(a)
                squares += Double(a) * Double(a)
            }
        }
        guard count > 1 else { return }
        let mean = sum / count
        let std = max(squares / count - mean * mean, 0).squareRoot()
        for index in transitions.indices {
            let mask = transitions[index].lossMask
            transitions[index].advantages = zip(transitions[index].advantages, mask).map { a, m in
                m > 0 ? Float((Double(a) - mean) / (std + 1e-8)) : 0
            }
        }
    }
}
