import LightningAlgorithm
import Testing

@Suite struct AdvantageTests {
    static func call(_ id: String) -> LLMCall {
        LLMCall(rolloutID: "", spanID: id, sequence: 0, promptTokenIDs: [1], responseTokenIDs: [2, 3], responseLogprobs: [-1, -1])
    }

    static func rollout(_ id: String, group: String?, reward: Double?, calls: Int, credits: [CallCredit]? = nil) -> CreditedRollout {
        CreditedRollout(rolloutID: id, groupKey: group, finalReward: reward, calls: (0..<calls).map { call("\(id)-\($0)") },
                        credits: credits ?? (0..<calls).map { _ in CallCredit(finalReward: reward ?? 0) })
    }

    @Test("GRPO: (r − mean) / (std + ε) over the group's rollouts, unbiased std, broadcast to each call")
    func groupNormalized() throws {
        let result = GRPO().advantages([
            Self.rollout("a", group: "t", reward: 1, calls: 2), Self.rollout("b", group: "t", reward: 0, calls: 1),
            Self.rollout("c", group: "t", reward: 0, calls: 1), Self.rollout("d", group: "t", reward: 1, calls: 1),
        ])
        // mean 0.5, std = √(4 · 0.25 / 3) = 0.57735 → ±0.86603
        #expect(isClose(try #require(result.advantages["a"]), [0.866025, 0.866025], 1e-5))
        #expect(isClose(try #require(result.advantages["b"]), [-0.866025], 1e-5))
        #expect(result.groups == 1 && result.skippedGroups.isEmpty)
    }

    @Test("GRPO: a rollout with 3 calls counts once in its group's mean and std, like a rollout with 1 call")
    func rolloutCountsOnce() throws {
        let result = GRPO().advantages([Self.rollout("long", group: "t", reward: 1, calls: 3), Self.rollout("short", group: "t", reward: 0, calls: 1)])
        // Per rollout: mean 0.5, std √0.5 → ±0.70711. (Per call the mean would be 0.75.)
        let long = try #require(result.advantages["long"]), short = try #require(result.advantages["short"])
        #expect(isClose(long, [0.707106, 0.707106, 0.707106], 1e-5))
        #expect(isClose(short, [-0.707106], 1e-5))
        #expect(isClose(long[0] + short[0], 0))
    }

    @Test("GRPO: groups whose rewards are all equal, and groups of one, are skipped and reported; rollouts without reward too")
    func uniformGroupsSkipped() {
        let result = GRPO().advantages([
            Self.rollout("a", group: "same", reward: 1, calls: 1), Self.rollout("b", group: "same", reward: 1, calls: 2),
            Self.rollout("c", group: nil, reward: 0.3, calls: 1), Self.rollout("d", group: "x", reward: nil, calls: 1),
            Self.rollout("e", group: "x", reward: 1, calls: 1), Self.rollout("f", group: "x", reward: 0, calls: 1),
        ])
        #expect(result.skippedGroups == [
            SkippedGroup(key: "same", rolloutIDs: ["a", "b"], reward: 1), SkippedGroup(key: "rollout:c", rolloutIDs: ["c"], reward: 0.3),
        ])
        #expect(result.rolloutsWithoutReward == ["d"])
        #expect(Set(result.advantages.keys) == ["e", "f"])
        #expect(result.groups == 1)
    }

    @Test("GRPO: discount scales the rollout advantage per call and intermediate rewards are added to their call")
    func discountAndIntermediate() throws {
        let credits = [CallCredit(discount: 0.25, finalReward: 1), CallCredit(discount: 0.5, finalReward: 1, intermediate: -0.5),
                       CallCredit(discount: 1, finalReward: 1)]
        let result = GRPO().advantages([Self.rollout("a", group: "t", reward: 1, calls: 3, credits: credits),
                                        Self.rollout("b", group: "t", reward: 0, calls: 1)])
        let a = 0.7071061
        #expect(isClose(try #require(result.advantages["a"]), [0.25 * a, 0.5 * a - 0.5, a], 1e-5))
    }

    @Test("GRPO without std scaling only centres the rewards")
    func meanCentringOnly() throws {
        let result = GRPO(scaleByStd: false).advantages([Self.rollout("a", group: "t", reward: 3, calls: 1), Self.rollout("b", group: "t", reward: 1, calls: 1)])
        #expect(try #require(result.advantages["a"]) == [1])
        #expect(try #require(result.advantages["b"]) == [-1])
    }

    static func transition(segments: [Transition.Segment], mask: [Float]) -> Transition {
        Transition(rolloutID: "r", promptTokenIDs: [1], responseTokenIDs: mask.map { _ in 5 }, responseLogprobs: mask.map { _ in -1 },
                   lossMask: mask, segments: segments)
    }

    @Test("GAE with γ = λ = 1 gives each token the call's reward minus its value; returns are the reward")
    func gaeMonteCarlo() {
        var rows = [Self.transition(segments: [.init(spanID: "a", modelVersion: nil, range: 0..<3, reward: 1)], mask: [1, 1, 1])]
        GAE(whiten: false).apply(to: &rows, values: [[0.5, 0.2, 0.4]])
        #expect(isClose(rows[0].advantages, [0.5, 0.8, 0.6]))
        #expect(isClose(rows[0].returns ?? [], [1, 1, 1]))
        #expect(rows[0].oldValues == [0.5, 0.2, 0.4])
    }

    @Test("GAE with γ = 0.9, λ = 0.8 matches the hand-computed recursion")
    func gaeDiscounted() {
        var rows = [Self.transition(segments: [.init(spanID: "a", modelVersion: nil, range: 0..<3, reward: 1)], mask: [1, 1, 1])]
        GAE(gamma: 0.9, lambda: 0.8, whiten: false).apply(to: &rows, values: [[0.5, 0.2, 0.4]])
        // δ₂ = 1 − 0.4 = 0.6; δ₁ = 0.9·0.4 − 0.2 = 0.16; δ₀ = 0.9·0.2 − 0.5 = −0.32; A = δ + 0.72·A_next
        #expect(isClose(rows[0].advantages, [0.10624, 0.592, 0.6]))
        #expect(isClose(rows[0].returns ?? [], [0.60624, 0.792, 1.0]))
    }

    @Test("GAE treats each call of a merged row as its own episode and gives observation tokens nothing")
    func gaeMergedSegments() {
        var rows = [Self.transition(segments: [.init(spanID: "a", modelVersion: nil, range: 0..<2, reward: 1),
                                               .init(spanID: "b", modelVersion: nil, range: 3..<4, reward: -1)],
                                    mask: [1, 1, 0, 1])]
        GAE(whiten: false).apply(to: &rows, values: [[0.25, 0.5, 9, 0.5]])
        #expect(isClose(rows[0].advantages, [0.75, 0.5, 0, -1.5]))
    }

    @Test("GAE whitening gives the trained tokens mean 0 and standard deviation 1")
    func gaeWhitening() {
        var rows = [Self.transition(segments: [.init(spanID: "a", modelVersion: nil, range: 0..<2, reward: 1),
                                               .init(spanID: "b", modelVersion: nil, range: 3..<4, reward: -1)],
                                    mask: [1, 1, 0, 1])]
        GAE().apply(to: &rows, values: [[0.25, 0.5, 9, 0.5]])
        let trained = [0, 1, 3].map { Double(rows[0].advantages[$0]) }
        let mean = trained.reduce(0, +) / 3
        let variance = trained.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 3
        #expect(isClose(mean, 0, 1e-6) && isClose(variance, 1, 1e-5))
        #expect(rows[0].advantages[2] == 0)
    }
}
