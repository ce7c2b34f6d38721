import LightningModel
import Testing

/// Backward against central finite differences on a tiny model (float32, so loose tolerances).
@Suite struct FiniteDifferenceTests {
    @Test(arguments: [Float(1), 0.6])
    func gradientsMatchFiniteDifferences(_ temperature: Float) throws {
        let config = ModelConfig(layers: 2, heads: 3, width: 12, context: 8, vocabSize: 20, valueHead: true)
        let base = try ModelWeights(config: config, seed: 2)
        var values = base.values
        var rng = SeededGenerator(seed: 5)
        for i in values.indices { values[i] += Float(rng.nextNormal() * 0.3) }  // larger than init: more signal
        let model = TrainingModel(weights: try ModelWeights(config: config, values: values), threads: 1)
        let batch = TokenBatch(
            tokens: (0..<14).map { _ in Int32(rng.next() % 20) }, targets: (0..<14).map { _ in Int32(rng.next() % 20) },
            batchSize: 2, sequenceLength: 7, lengths: [7, 5])
        let dl = (0..<14).map { _ in Float(rng.nextNormal()) }
        let de = (0..<14).map { _ in Float(rng.nextNormal() * 0.5) }
        let dv = (0..<14).map { _ in Float(rng.nextNormal()) }
        func loss() throws -> Double {
            let out = try model.forward(batch, temperature: temperature)
            var total = 0.0
            for i in 0..<14 {
                total += Double(dl[i] * out.logprobs[i] + de[i] * out.entropy[i] + dv[i] * out.values![i])
            }
            return total
        }
        _ = try loss()
        model.zeroGradients()
        try model.backward(OutputGradients(dLogprob: dl, dEntropy: de, dValue: dv))
        let worst = try finiteDifferenceError(model, indices: stride(from: 0, to: values.count, by: 7), loss: loss)
        #expect(worst < 0.02, "worst relative error \(worst)")
    }
}
