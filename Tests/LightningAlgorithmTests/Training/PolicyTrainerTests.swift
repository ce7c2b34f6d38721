import LightningAlgorithm
import LightningModel
import Testing

@Suite struct PolicyTrainerTests {
    static let config = ModelConfig(layers: 1, heads: 2, width: 16, context: 16, vocabSize: 32)
    static let prompt: [Int32] = [1, 2, 3]
    static let response: [Int32] = [10, 11, 12]

    static func transition(_ trainer: PolicyTrainer, advantage: Float, rollout: String = "r", temperature: Float = 1) throws -> Transition {
        var row = Transition(rolloutID: rollout, temperature: temperature, promptTokenIDs: prompt, responseTokenIDs: response,
                             responseLogprobs: [0, 0, 0], advantages: Array(repeating: advantage, count: response.count))
        row.responseLogprobs = try trainer.logprobs(for: [row])[0]
        return row
    }

    static func total(_ trainer: PolicyTrainer, _ row: Transition) throws -> Float {
        try trainer.logprobs(for: [row])[0].reduce(0, +)
    }

    @Test("a few steps with a positive advantage on one fixed response increase its logprob", arguments: [Float(1), 0.7])
    func positiveAdvantageRaisesLogprob(_ temperature: Float) throws {
        let model = try TrainingModel(config: Self.config, seed: 7, threads: 1)
        let trainer = try PolicyTrainer(model: model, configuration: .init(learningRate: 3e-3, recomputeOldLogprobs: true))
        let row = try Self.transition(trainer, advantage: 1, temperature: temperature)
        let before = try Self.total(trainer, row)
        var last = TrainingStatistics()
        for _ in 0..<5 { last = try trainer.train([row]) }
        let after = try Self.total(trainer, row)
        #expect(after > before + 0.1, "logprob \(before) → \(after)")
        #expect(last.steps == 1 && last.transitions == 1 && last.tokens == 3)
        #expect(last.clipFraction == 0 && abs(last.approxKL) < 1e-6)  // recomputed old logprobs: ratio 1
        #expect(last.policyLoss < 0)
    }

    @Test("a negative advantage lowers the response's logprob")
    func negativeAdvantageLowersLogprob() throws {
        let model = try TrainingModel(config: Self.config, seed: 7, threads: 1)
        let trainer = try PolicyTrainer(model: model, configuration: .init(learningRate: 3e-3, recomputeOldLogprobs: true))
        let row = try Self.transition(trainer, advantage: -1)
        let before = try Self.total(trainer, row)
        for _ in 0..<5 { _ = try trainer.train([row]) }
        #expect(try Self.total(trainer, row) < before - 0.1)
    }

    @Test("with recorded old logprobs the ratio drifts, clips, and approx KL turns negative as the policy moves up")
    func recordedOldLogprobsClip() throws {
        let model = try TrainingModel(config: Self.config, seed: 7, threads: 1)
        let trainer = try PolicyTrainer(model: model, configuration: .init(learningRate: 1e-2))
        let row = try Self.transition(trainer, advantage: 1)
        var statistics = TrainingStatistics()
        for _ in 0..<8 { statistics = try trainer.train([row]) }
        #expect(statistics.clipFraction > 0)
        #expect(statistics.approxKL < 0)
    }

    @Test("a KL penalty to an identical frozen reference starts at zero and grows as the policy moves")
    func referenceKL() throws {
        let model = try TrainingModel(config: Self.config, seed: 7, threads: 1)
        let reference = TrainingModel(weights: model.snapshot(), threads: 1)
        let loss = PolicyLoss(klCoefficient: 0.1)
        let trainer = try PolicyTrainer(model: model, reference: reference,
                                        configuration: .init(learningRate: 3e-3, loss: loss, recomputeOldLogprobs: true))
        let row = try Self.transition(trainer, advantage: 1)
        let first = try trainer.train([row])
        #expect(abs(first.kl) < 1e-9)
        var later = first
        for _ in 0..<4 { later = try trainer.train([row]) }
        #expect(later.kl > 1e-4)
    }

    @Test("transitions that cannot be trained are skipped and counted, not fatal")
    func skipsBadTransitions() throws {
        let model = try TrainingModel(config: Self.config, seed: 7, threads: 1)
        let trainer = try PolicyTrainer(model: model)
        let good = try Self.transition(trainer, advantage: 1)
        var outOfVocabulary = good
        outOfVocabulary.responseTokenIDs = [40, 1, 2]
        var inconsistent = good
        inconsistent.advantages = [1]
        var nothingTrained = good
        nothingTrained.lossMask = [0, 0, 0]
        let statistics = try trainer.train([good, outOfVocabulary, inconsistent, nothingTrained])
        #expect(statistics.transitions == 1 && statistics.skippedTransitions == 3 && statistics.steps == 1)
        #expect(try trainer.train([]).steps == 0)
    }

    @Test("mini-batches group rollouts: 4 rollouts, 2 per mini-batch, 2 epochs make 4 optimizer steps")
    func miniBatches() throws {
        let model = try TrainingModel(config: Self.config, seed: 7, threads: 1)
        let trainer = try PolicyTrainer(model: model, configuration: .init(miniBatchRollouts: 2, microBatchRows: 1, epochs: 2))
        var rows: [Transition] = []
        for rollout in ["a", "b", "c", "d"] {
            rows.append(try Self.transition(trainer, advantage: 1, rollout: rollout))
            rows.append(try Self.transition(trainer, advantage: 1, rollout: rollout, temperature: 0.8))
        }
        let statistics = try trainer.train(rows)
        #expect(statistics.steps == 4 && statistics.tokens == 2 * 8 * 3)
        #expect(model.optimizerStep == 4)
    }

    @Test("PPO: values from the value head, GAE, and training on the targets lower the value loss")
    func ppoValueHead() throws {
        var config = Self.config
        config.valueHead = true
        let model = try TrainingModel(config: config, seed: 7, threads: 1)
        let trainer = try PolicyTrainer(model: model, configuration: .init(learningRate: 1e-2))
        var rows = [try Self.transition(trainer, advantage: 0)]
        rows[0].segments = [Transition.Segment(spanID: "s", modelVersion: 0, range: 0..<3, reward: 1)]
        var losses: [Double] = []
        for _ in 0..<6 {
            GAE(whiten: false).apply(to: &rows, values: try trainer.values(for: rows))
            losses.append(try trainer.train(rows).valueLoss)
        }
        #expect(losses.last! < losses.first! * 0.5, "value losses \(losses)")
        #expect(isClose(rows[0].returns ?? [], [1, 1, 1]))
    }

    @Test("value targets without a value head are refused")
    func valueTargetsNeedValueHead() throws {
        let trainer = try PolicyTrainer(model: try TrainingModel(config: Self.config, seed: 7, threads: 1))
        var row = try Self.transition(trainer, advantage: 1)
        row.returns = [1, 1, 1]
        #expect(throws: ModelError.self) { try trainer.train([row]) }
    }

    @Test("a batch mixing transitions with and without value targets is refused")
    func mixedValueTargets() throws {
        var config = Self.config
        config.valueHead = true
        let trainer = try PolicyTrainer(model: try TrainingModel(config: config, seed: 7, threads: 1))
        let plain = try Self.transition(trainer, advantage: 1)
        var withTargets = plain
        withTargets.returns = [1, 1, 1]
        #expect(throws: ModelError.self) { try trainer.train([plain, withTargets]) }
        #expect(try trainer.train([withTargets]).steps == 1)
    }

    @Test("SFT steps on a demonstration lower its negative log-likelihood")
    func supervisedWarmUp() throws {
        let model = try TrainingModel(config: Self.config, seed: 7, threads: 1)
        let trainer = try PolicyTrainer(model: model, configuration: .init(learningRate: 1e-2))
        let demonstrations = [Demonstration(promptTokenIDs: Self.prompt, responseTokenIDs: Self.response),
                              Demonstration(promptTokenIDs: [5, 6], responseTokenIDs: [7, 8, 9, 10]),
                              Demonstration(promptTokenIDs: [], responseTokenIDs: [1])]
        let first = try trainer.supervisedStep(demonstrations)
        var last = first
        for _ in 0..<10 { last = try trainer.supervisedStep(demonstrations) }
        #expect(first.tokens == 7 && first.demonstrations == 2 && first.skipped == 1)
        #expect(last.loss < first.loss * 0.7, "NLL \(first.loss) → \(last.loss)")
    }
}
