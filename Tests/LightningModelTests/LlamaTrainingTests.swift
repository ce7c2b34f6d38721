import Foundation
import LightningFormats
@testable import LightningModel
import Testing

/// Training Llama-family models: one full step against the JAX reference
/// (`Tools/reference/make_llama_train_fixtures.py`), gradients against finite differences, the
/// training forward against the numpy inference reference, checkpointing and snapshots.
@Suite struct LlamaTrainingTests {
    struct Meta: FixtureMeta {
        struct Shape: Decodable {
            let architecture: String
            let layers, width, hiddenWidth, heads, kvHeads, headSize, vocabularySize, context: Int
            let normEpsilon: Float
            let theta: Double
            let attentionBias, tiedEmbeddings: Bool
        }

        let llama: Shape
        let batch, time: Int
        let temperature: Float
        let hyper: FixtureHyper

        var config: LlamaConfig {
            let s = llama
            return LlamaConfig(
                architecture: s.architecture, layers: s.layers, width: s.width, hiddenWidth: s.hiddenWidth, heads: s.heads,
                kvHeads: s.kvHeads, headSize: s.headSize, vocabularySize: s.vocabularySize, context: s.context,
                normEpsilon: s.normEpsilon, rope: RotaryConfig(theta: s.theta, dimensions: s.headSize, pairing: .halfSplit),
                tiedEmbeddings: s.tiedEmbeddings, attentionBias: s.attentionBias)
        }
    }

    static func model(_ fixture: Fixture<Meta>, lora: LoRAConfiguration? = nil, checkpointed: Bool = true,
                      threads: Int = 2) throws -> LlamaTrainingModel {
        let config = fixture.meta.config, h = fixture.meta.hyper
        let values = fixture.floats("params")
        return try LlamaTrainingModel(
            config: config, parameters: values.withUnsafeBufferPointer { FloatBuffer(copying: $0) }, ropeFactors: nil,
            lora: lora, seed: 4, optimizer: AdamW(beta1: h.beta1, beta2: h.beta2, epsilon: h.eps, weightDecay: h.weightDecay),
            version: 0, threads: threads, checkpointActivations: checkpointed)
    }

    /// `Σ dl·logprob + de·entropy`, the loss the fixtures differentiate.
    static func loss(_ out: ForwardResult, _ dl: [Float], _ de: [Float]) -> Double {
        var total = 0.0
        for i in dl.indices { total += Double(dl[i]) * Double(out.logprobs[i]) + Double(de[i]) * Double(out.entropy[i]) }
        return total
    }

    static let jaxFixtures = ["llama_train_gqa_bias_untied", "llama_train_tied"]

    @Test("two full training steps equal JAX's (outputs, loss, every gradient, clipped AdamW updates)",
          arguments: jaxFixtures)
    func trainingStepsMatchJAX(_ name: String) throws {
        let fixture = try Fixture<Meta>(named: name)
        let model = try Self.model(fixture)
        let batch = fixture.batch, temperature = fixture.meta.temperature, hyper = fixture.meta.hyper
        let dl = fixture.floats("d_logprob"), de = fixture.floats("d_entropy")
        for step in 1...2 {
            let out = try model.forward(batch, temperature: temperature)
            if step == 1 {
                #expect(worstRelativeError(out.logprobs, fixture.floats("logprob")) < 1e-5)
                #expect(worstRelativeError(out.entropy, fixture.floats("entropy")) < 1e-5)
            }
            let loss = Self.loss(out, dl, de)
            let expectedLoss = Double(fixture.floats("loss\(step)")[0])
            #expect(abs(loss - expectedLoss) < 1e-4 * max(1, abs(expectedLoss)), "step \(step) loss \(loss) vs \(expectedLoss)")
            model.zeroGradients()
            try model.backward(OutputGradients(dLogprob: dl, dEntropy: de))
            let grads = model.gradientValues, expected = fixture.floats("grad\(step)")
            for tensor in model.layout.tensors {
                let range = tensor.offset..<(tensor.offset + tensor.count)
                let error = worstRelativeError(Array(grads[range]), Array(expected[range]))
                #expect(error < 1e-4, "step \(step), gradient of \(tensor.name): worst relative error \(error)")
            }
            let norm = model.clipGradients(maxNorm: hyper.maxNorm)
            #expect(abs(norm - fixture.floats("norm\(step)")[0]) < 1e-4 * norm)
            model.step(learningRate: hyper.lr)
            // An update moves a weight by about lr; allow a thousandth of that.
            let worst = zip(model.parameterValues, fixture.floats("params\(step)")).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-3 * hyper.lr, "step \(step): parameters differ by up to \(worst)")
        }
    }

    static func randomConfig(kvHeads: Int, bias: Bool, tied: Bool, pairing: RotaryConfig.Pairing, rotated: Int) -> LlamaConfig {
        LlamaConfig(architecture: "llama", layers: 2, width: 12, hiddenWidth: 20, heads: 4, kvHeads: kvHeads, headSize: 6,
                    vocabularySize: 19, context: 8, normEpsilon: 1e-5,
                    rope: RotaryConfig(theta: 500, dimensions: rotated, pairing: pairing), tiedEmbeddings: tied,
                    attentionBias: bias)
    }

    static let randomConfigs: [LlamaConfig] = [
        randomConfig(kvHeads: 2, bias: true, tied: false, pairing: .halfSplit, rotated: 6),
        randomConfig(kvHeads: 1, bias: false, tied: true, pairing: .adjacent, rotated: 4),
    ]

    @Test("gradients equal central finite differences on random shapes", arguments: randomConfigs)
    func gradientsMatchFiniteDifferences(_ config: LlamaConfig) throws {
        let model = try LlamaTrainingModel(config: config, seed: 3, deviation: 0.3, threads: 1)
        var rng = SeededGenerator(seed: 8)
        let v = UInt64(config.vocabularySize)
        let batch = TokenBatch(tokens: (0..<14).map { _ in Int32(rng.next() % v) }, targets: (0..<14).map { _ in Int32(rng.next() % v) },
                               batchSize: 2, sequenceLength: 7, lengths: [7, 4])
        let dl = (0..<14).map { _ in Float(rng.nextNormal()) }, de = (0..<14).map { _ in Float(rng.nextNormal() * 0.5) }
        func loss() throws -> Double {
            let out = try model.forward(batch, temperature: 0.8)
            return Self.loss(out, dl, de)
        }
        _ = try loss()
        model.zeroGradients()
        try model.backward(OutputGradients(dLogprob: dl, dEntropy: de))
        let indices = model.layout.tensors.flatMap { stride(from: $0.offset, to: $0.offset + $0.count, by: max(1, $0.count / 9)) }
        let worst = try finiteDifferenceError(model, indices: indices, loss: loss), checked = indices.count
        #expect(checked > 100)
        #expect(worst < 0.02, "worst relative error \(worst) over \(checked) parameters")
    }

    @Test func checkpointingChangesNoGradient() throws {
        let fixture = try Fixture<Meta>(named: "llama_train_gqa_bias_untied")
        var gradients: [[Float]] = []
        for checkpointed in [true, false] {
            let model = try Self.model(fixture, checkpointed: checkpointed)
            model.activationBudgetBytes = 0  // checkpoint even these tiny batches
            _ = try model.forward(fixture.batch, temperature: 1)
            try model.backward(OutputGradients(dLogprob: fixture.floats("d_logprob"), dEntropy: fixture.floats("d_entropy")))
            gradients.append(model.gradientValues)
        }
        #expect(gradients[0] == gradients[1])
    }

    @Test func skippingUnscoredPositionsChangesNothingScored() throws {
        let fixture = try Fixture<Meta>(named: "llama_train_gqa_bias_untied")
        var batch = fixture.batch
        let dl = fixture.floats("d_logprob"), de = fixture.floats("d_entropy")
        let full = try Self.model(fixture)
        let all = try full.forward(batch, temperature: 0.7)
        batch.firstScored = [3, 2]
        let scored = Set(batch.scoredPositions())
        // The loss only reads scored positions: the same gradient either way.
        let mask = (0..<batch.positionCount).map { scored.contains($0) ? Float(1) : 0 }
        let maskedDL = zip(dl, mask).map(*), maskedDE = zip(de, mask).map(*)
        try full.backward(OutputGradients(dLogprob: maskedDL, dEntropy: maskedDE))
        let skipping = try Self.model(fixture)
        let some = try skipping.forward(batch, temperature: 0.7)
        try skipping.backward(OutputGradients(dLogprob: maskedDL, dEntropy: maskedDE))
        for position in 0..<batch.positionCount {
            #expect(some.logprobs[position] == (scored.contains(position) ? all.logprobs[position] : 0))
        }
        #expect(worstRelativeError(skipping.gradientValues, full.gradientValues) < 1e-5)  // sums in another order
        #expect(scored.count == 4 + 3)  // rows of 7 and 5 valid positions, from 3 and from 2
    }

    @Test("the training forward gives the numpy reference's logits", arguments: ["hf-llama-f32", "gguf-llama-f32", "gguf-qwen2-bias", "gguf-llama-output-ropefreqs"])
    func trainingLogitsMatchInferenceReference(_ name: String) throws {
        let expected = try LlamaReferenceTests.expected(name)
        let weights = try LlamaReferenceTests.load(name)
        let model = try LlamaTrainingModel(weights: weights, threads: 2)
        let v = weights.config.vocabularySize
        for testCase in expected.cases {
            let tokens = testCase.tokens
            let logits = try model.logits(TokenBatch(tokens: tokens, targets: tokens, batchSize: 1, sequenceLength: tokens.count))
            #expect(LlamaReferenceTests.maxError(Array(logits[((tokens.count - 1) * v)...]), testCase.lastLogits) < 1e-4)
            if let all = testCase.allLogits {
                #expect(LlamaReferenceTests.maxError(logits, all.flatMap { $0 }) < 1e-4)
            }
        }
    }

    @Test func snapshotServesTheTrainedWeights() throws {
        let fixture = try Fixture<Meta>(named: "llama_train_gqa_bias_untied")
        let model = try Self.model(fixture)
        _ = try model.forward(fixture.batch, temperature: 1)
        try model.backward(OutputGradients(dLogprob: fixture.floats("d_logprob")))
        model.step(learningRate: 0.05)
        let tokens: [Int32] = [3, 1, 4, 1, 5, 9, 2]
        let trained = try model.logits(TokenBatch(tokens: tokens, targets: tokens, batchSize: 1, sequenceLength: tokens.count))
        let served = LlamaReferenceTests.logits(try model.snapshot(), tokens, allRows: true).flatMap { $0 }
        #expect(worstRelativeError(served, trained) < 1e-5)
    }

    @Test func badInputIsRefused() throws {
        let model = try LlamaTrainingModel(config: Self.randomConfigs[0], seed: 1, threads: 1)
        #expect(throws: ModelError.self) { try model.backward(OutputGradients(dLogprob: [0])) }
        #expect(throws: ModelError.self) {
            _ = try model.forward(TokenBatch(tokens: [0, 99], targets: [0, 0], batchSize: 1, sequenceLength: 2))
        }
        #expect(throws: ModelError.self) {
            _ = try model.forward(TokenBatch(tokens: Array(repeating: 0, count: 9), targets: Array(repeating: 0, count: 9),
                                             batchSize: 1, sequenceLength: 9))
        }
        _ = try model.forward(TokenBatch(tokens: [0, 1], targets: [1, 2], batchSize: 1, sequenceLength: 2))
        #expect(throws: ModelError.self) { try model.backward(OutputGradients(dLogprob: [0, 0], dValue: [0, 0])) }
    }
}
