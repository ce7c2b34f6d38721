import Foundation
import LightningAlgorithm
import Testing

@Suite struct PolicyLossTests {
    struct Point: Sendable, CustomTestStringConvertible {
        let label: String
        let ratio: Double
        let advantage: Double
        let loss: Double
        let gradient: Double
        let clipped: Bool
        let dualClipped: Bool
        var testDescription: String { label }
    }

    /// ε = 0.2, c = 3. The gradient is d loss / d logπ = −A·ρ where the unclipped term is active.
    static let points: [Point] = [
        Point(label: "ratio inside the range", ratio: 1.1, advantage: 2, loss: -2.2, gradient: -2.2, clipped: false, dualClipped: false),
        Point(label: "ratio above 1+ε with A > 0 is clipped", ratio: 1.5, advantage: 1, loss: -1.2, gradient: 0, clipped: true, dualClipped: false),
        Point(label: "ratio below 1−ε with A < 0 is clipped", ratio: 0.5, advantage: -1, loss: 0.8, gradient: 0, clipped: true, dualClipped: false),
        Point(label: "ratio below 1−ε with A > 0 keeps its gradient", ratio: 0.5, advantage: 1, loss: -0.5, gradient: -0.5, clipped: false, dualClipped: false),
        Point(label: "ratio above 1+ε with A < 0 keeps its gradient", ratio: 2, advantage: -1, loss: 2, gradient: 2, clipped: false, dualClipped: false),
        Point(label: "ratio far above c with A < 0 triggers the dual clip", ratio: 4, advantage: -1, loss: 3, gradient: 0, clipped: false, dualClipped: true),
        Point(label: "dual clip scales with the advantage", ratio: 5, advantage: -2, loss: 6, gradient: 0, clipped: false, dualClipped: true),
        Point(label: "ratio far below 1−ε with A < 0 is the ordinary clip, not the dual clip", ratio: 0.05, advantage: -1, loss: 0.8, gradient: 0, clipped: true, dualClipped: false),
        Point(label: "ratio far above c with A > 0 is the ordinary clip", ratio: 4, advantage: 1, loss: -1.2, gradient: 0, clipped: true, dualClipped: false),
    ]

    @Test("clipped and dual-clipped policy loss and gradient", arguments: points)
    func clippedPolicyTerm(_ point: Point) {
        let term = PolicyLoss().policyTerm(logprob: -1 + log(point.ratio), oldLogprob: -1, advantage: point.advantage)
        #expect(isClose(term.ratio, point.ratio, 1e-12))
        #expect(isClose(term.loss, point.loss, 1e-12))
        #expect(isClose(term.dLogprob, point.gradient, 1e-12))
        #expect(term.clipped == point.clipped && term.dualClipped == point.dualClipped)
    }

    @Test("without the dual clip a runaway ratio with A < 0 is unbounded")
    func noDualClip() {
        let term = PolicyLoss(dualClip: nil).policyTerm(logprob: log(4.0), oldLogprob: 0, advantage: -1)
        #expect(isClose(term.loss, 4) && isClose(term.dLogprob, 4) && !term.dualClipped)
    }

    @Test("low_var_kl value and gradient: exp(ref − logπ) − (ref − logπ) − 1, derivative 1 − exp(ref − logπ)")
    func lowVarKL() {
        let a = PolicyLoss.lowVarKL(logprob: -1, reference: -1.5)
        #expect(isClose(a.value, exp(-0.5) + 0.5 - 1) && isClose(a.value, 0.1065307, 1e-7))
        #expect(isClose(a.dLogprob, 1 - exp(-0.5)) && isClose(a.dLogprob, 0.3934693, 1e-7))
        let b = PolicyLoss.lowVarKL(logprob: -2, reference: -1)
        #expect(isClose(b.value, M_E - 2) && isClose(b.dLogprob, 1 - M_E))
        let same = PolicyLoss.lowVarKL(logprob: -0.7, reference: -0.7)
        #expect(same.value == 0 && same.dLogprob == 0)
        // Clamped to 10 as verl does, with no gradient through the clamp.
        let far = PolicyLoss.lowVarKL(logprob: -15, reference: 0)
        #expect(far.value == 10 && far.dLogprob == 0)
        // The derivative matches a central difference.
        let h = 1e-6
        let fd = (PolicyLoss.lowVarKL(logprob: -1 + h, reference: -1.5).value - PolicyLoss.lowVarKL(logprob: -1 - h, reference: -1.5).value) / (2 * h)
        #expect(isClose(fd, a.dLogprob, 1e-8))
    }

    @Test("value loss: ½(v − R)², and with clipping the larger of the clipped and unclipped errors")
    func valueLoss() {
        let loss = PolicyLoss(valueClip: 0.5)
        let inside = loss.valueTerm(value: 1, oldValue: 0.8, target: 0)
        #expect(isClose(inside.loss, 0.5) && isClose(inside.dValue, 1) && !inside.clipped)
        let unclippedLarger = loss.valueTerm(value: 2, oldValue: 0.8, target: 0)
        #expect(isClose(unclippedLarger.loss, 2) && isClose(unclippedLarger.dValue, 2) && !unclippedLarger.clipped)
        let clipped = loss.valueTerm(value: 2, oldValue: 0.8, target: 3)
        #expect(isClose(clipped.loss, 0.5 * 1.7 * 1.7) && clipped.dValue == 0 && clipped.clipped)
        let plain = PolicyLoss(valueClip: nil).valueTerm(value: 2, oldValue: 0.8, target: 3)
        #expect(isClose(plain.loss, 0.5) && isClose(plain.dValue, -1))
    }

    @Test("per-rollout mean: a rollout with 3 calls weighs the same as a rollout with 1 call")
    func perRolloutWeighting() {
        let masks: [[Float]] = [[1, 1], [1, 1], [1, 1], [1, 1]]
        let weights = LossAggregation.perRolloutMean.weights(rollouts: ["long", "long", "long", "short"], masks: masks)
        let twelfth: Float = 1 / 12
        let expected: [[Float]] = [[twelfth, twelfth], [twelfth, twelfth], [twelfth, twelfth], [0.25, 0.25]]
        #expect(weights == expected)
        // The same advantage everywhere: both rollouts get the same total gradient, and the loss is their mean.
        let inputs = LossInputs(logprobs: Array(repeating: -1, count: 8), oldLogprobs: Array(repeating: -1, count: 8),
                                advantages: [1, 1, 1, 1, 1, 1, -1, -1], weights: weights.flatMap { $0 })
        let (gradients, statistics) = PolicyLoss().evaluate(inputs)
        let long = gradients.dLogprob[0..<6].reduce(0, +), short = gradients.dLogprob[6..<8].reduce(0, +)
        #expect(isClose(Double(long), -0.5) && isClose(Double(short), 0.5))
        #expect(isClose(statistics.policyLoss, 0))
        #expect(isClose(statistics.weight, 1))
        // Token mean lets the long rollout dominate.
        let tokenMean = LossAggregation.tokenMean.weights(rollouts: ["long", "long", "long", "short"], masks: masks)
        #expect(tokenMean.flatMap { $0 }.allSatisfy { $0 == 0.125 })
    }

    @Test("masked tokens get no weight; a rollout with nothing trained does not count")
    func maskedTokens() {
        let weights = LossAggregation.perRolloutMean.weights(rollouts: ["a", "b", "c"], masks: [[1, 0, 1], [0, 0], [1]])
        let expected: [[Float]] = [[0.25, 0, 0.25], [0, 0], [0.5]]
        #expect(weights == expected)
    }

    @Test("the batch loss gradient with respect to logprobs, entropy and values matches finite differences")
    func finiteDifferences() {
        let logRatios: [Float] = [-1.0, -0.1, 0.1, 0.5, 1.5, -0.6, 0.35, 0.05]
        let advantages: [Float] = [0.7, -1.2, 0.4, 1.1, -0.8, -0.5, -0.9, 2.0]
        let old: [Float] = [-1.2, -0.4, -2.3, -0.9, -1.7, -0.2, -3.1, -0.6]
        let inputs = LossInputs(
            logprobs: zip(old, logRatios).map(+), oldLogprobs: old, advantages: advantages,
            weights: [0.1, 0.2, 0.05, 0.15, 0.1, 0.1, 0.2, 0.1], referenceLogprobs: [-1.0, -0.9, -2.0, -1.5, -0.3, -0.25, -2.5, -0.8],
            entropy: [1.2, 0.8, 2.0, 1.1, 0.5, 0.9, 1.4, 0.7], values: [0.2, -0.3, 0.9, 0.4, 1.6, 0.0, -0.1, 0.5],
            oldValues: [0.1, -0.1, 0.2, 0.6, 0.5, 0.1, 0.3, 0.4], returns: [1.0, 0.0, 0.5, -0.2, 0.8, 1.0, -1.0, 0.3])
        let loss = PolicyLoss(klCoefficient: 0.3, entropyCoefficient: 0.05, valueCoefficient: 0.5, valueClip: 0.5)
        let (gradients, _) = loss.evaluate(inputs)
        func total(_ change: (inout LossInputs) -> Void) -> Double {
            var changed = inputs
            change(&changed)
            return loss.evaluate(changed).statistics.loss
        }
        let h: Float = 1e-3
        for i in 0..<8 {
            let dLogprob = (total { $0.logprobs[i] += h } - total { $0.logprobs[i] -= h }) / Double(2 * h)
            let dEntropy = (total { $0.entropy![i] += h } - total { $0.entropy![i] -= h }) / Double(2 * h)
            let dValue = (total { $0.values![i] += h } - total { $0.values![i] -= h }) / Double(2 * h)
            #expect(isClose(dLogprob, Double(gradients.dLogprob[i]), 1e-4), "dLogprob[\(i)]")
            #expect(isClose(dEntropy, Double(gradients.dEntropy?[i] ?? 0), 1e-5), "dEntropy[\(i)]")
            #expect(isClose(dValue, Double(gradients.dValue?[i] ?? 0), 1e-4), "dValue[\(i)]")
        }
    }

    @Test("statistics: clip fraction, dual-clip fraction, approx KL and KL are weighted means")
    func statistics() {
        let inputs = LossInputs(logprobs: [Float(log(1.5)), Float(log(4.0)), 0, 0], oldLogprobs: [0, 0, 0, 0], advantages: [1, -1, 1, 0],
                                weights: [0.25, 0.25, 0.5, 0], referenceLogprobs: [0, 0, -0.5, 0], entropy: [1, 1, 2, 9])
        let s = PolicyLoss(klCoefficient: 0.1).evaluate(inputs).statistics
        #expect(isClose(s.clipFraction, 0.25) && isClose(s.dualClipFraction, 0.25))
        #expect(isClose(s.approxKL, -(0.25 * log(1.5) + 0.25 * log(4.0)), 1e-6))
        #expect(isClose(s.entropy, 1.5) && s.tokens == 3)
        let kl = 0.25 * PolicyLoss.lowVarKL(logprob: Double(Float(log(1.5))), reference: 0).value
            + 0.25 * PolicyLoss.lowVarKL(logprob: Double(Float(log(4.0))), reference: 0).value
            + 0.5 * PolicyLoss.lowVarKL(logprob: 0, reference: -0.5).value
        #expect(isClose(s.kl, kl, 1e-9))
        #expect(isClose(s.loss, s.policyLoss + 0.1 * s.kl, 1e-9))
    }
}
