import LightningModel
import Testing

/// The Swift model against the independent NumPy reference (`Tools/reference/`).
@Suite struct ReferenceFixtureTests {
    let fixture: GPTFixture
    let model: TrainingModel

    init() throws {
        fixture = try GPTFixture(named: "gpt_gradients")
        let weights = try ModelWeights(config: fixture.meta.config, values: fixture.floats("params"))
        model = TrainingModel(weights: weights)
    }

    @Test func logitsMatchReference() throws {
        let logits = try model.logits(fixture.batch)
        #expect(worstRelativeError(logits, fixture.floats("logits")) < 1e-4)
    }

    @Test func outputsMatchReferenceOnValidPositions() throws {
        let batch = fixture.batch
        let out = try model.forward(batch, temperature: fixture.meta.temperature ?? 1)
        let valid = (0..<batch.positionCount).filter { $0 % batch.sequenceLength < batch.lengths![$0 / batch.sequenceLength] }
        let pick = { (xs: [Float]) in valid.map { xs[$0] } }
        #expect(worstRelativeError(pick(out.logprobs), pick(fixture.floats("logprob"))) < 1e-4)
        #expect(worstRelativeError(pick(out.entropy), pick(fixture.floats("entropy"))) < 1e-4)
        #expect(worstRelativeError(pick(try #require(out.values)), pick(fixture.floats("value"))) < 1e-4)
        let padding = (0..<batch.positionCount).filter { !valid.contains($0) }
        #expect(padding.allSatisfy { out.logprobs[$0] == 0 && out.entropy[$0] == 0 })
    }

    @Test func everyParameterGradientMatchesReference() throws {
        _ = try model.forward(fixture.batch, temperature: fixture.meta.temperature ?? 1)
        model.zeroGradients()
        try model.backward(OutputGradients(
            dLogprob: fixture.floats("d_logprob"), dEntropy: fixture.floats("d_entropy"),
            dValue: fixture.floats("d_value")))
        let grads = model.gradientValues
        let expected = fixture.floats("grad")
        for tensor in model.layout.tensors {
            let range = tensor.offset..<(tensor.offset + tensor.count)
            let error = worstRelativeError(Array(grads[range]), Array(expected[range]))
            #expect(error < 1e-4, "gradient of \(tensor.name): worst relative error \(error)")
        }
    }

    @Test func backwardWithoutForwardIsRefused() throws {
        #expect(throws: ModelError.self) {
            try model.backward(OutputGradients(dLogprob: []))
        }
    }

    @Test func threeAdamWStepsMatchReferenceLosses() throws {
        let fixture = try GPTFixture(named: "gpt_adamw")
        let hyper = try #require(fixture.meta.hyper)
        let weights = try ModelWeights(config: fixture.meta.config, values: fixture.floats("params"))
        let model = TrainingModel(weights: weights, optimizer: AdamW(
            beta1: hyper.beta1, beta2: hyper.beta2, epsilon: hyper.eps, weightDecay: hyper.weightDecay))
        let batch = fixture.batch
        let valid = (0..<batch.positionCount).filter { $0 % batch.sequenceLength < batch.lengths![$0 / batch.sequenceLength] }
        let expectedLosses = fixture.floats("losses"), expectedNorms = fixture.floats("grad_norms")
        var losses: [Float] = [], norms: [Float] = []
        for _ in 0..<3 {
            let out = try model.forward(batch)
            losses.append(-valid.map { out.logprobs[$0] }.reduce(0, +) / Float(valid.count))
            var d = [Float](repeating: 0, count: batch.positionCount)
            for i in valid { d[i] = -1 / Float(valid.count) }
            model.zeroGradients()
            try model.backward(OutputGradients(dLogprob: d))
            norms.append(model.clipGradients(maxNorm: hyper.maxNorm))
            model.step(learningRate: hyper.lr)
        }
        let out = try model.forward(batch)
        losses.append(-valid.map { out.logprobs[$0] }.reduce(0, +) / Float(valid.count))
        #expect(worstRelativeError(losses, expectedLosses) < 1e-4, "losses \(losses) vs \(expectedLosses)")
        #expect(worstRelativeError(norms, expectedNorms) < 1e-4, "norms \(norms) vs \(expectedNorms)")
        // Key biases have an exactly zero gradient (softmax ignores a shift shared by a row), so Adam
        // turns float32 rounding noise into steps there while the float64 reference stays put: skip them.
        let width = fixture.meta.config.width
        let keyBias = Set(model.layout.blocks.flatMap { ($0.qkvBias + width)..<($0.qkvBias + 2 * width) })
        let kept = model.parameterValues.indices.filter { !keyBias.contains($0) }
        let final = model.parameterValues, expectedFinal = fixture.floats("final_params")
        #expect(worstRelativeError(kept.map { final[$0] }, kept.map { expectedFinal[$0] }) < 1e-4)
        #expect(model.optimizerStep == 3)
    }
}
