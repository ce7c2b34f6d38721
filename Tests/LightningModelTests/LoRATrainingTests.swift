import Foundation
@testable import LightningModel
import Testing

/// LoRA over a frozen Llama base: adapter gradients against finite differences (with and without
/// dropout), the merged snapshot against the adapted forward, and refused configurations.
@Suite struct LoRATrainingTests {
    static let config = LlamaTrainingTests.randomConfigs[0]

    /// A model whose `B` matrices are random too (they start at zero, which would leave `A` without gradient).
    static func model(_ lora: LoRAConfiguration, checkpointed: Bool = true) throws -> LlamaTrainingModel {
        let model = try LlamaTrainingModel(config: config, seed: 3, deviation: 0.3, lora: lora, threads: 1,
                                           checkpointActivations: checkpointed)
        var rng = SeededGenerator(seed: 21)
        for adapter in try #require(model.lora).adapters.joined() {
            for i in 0..<(adapter.outFeatures * lora.rank) { try model.setParameter(at: adapter.b + i, to: Float(rng.nextNormal() * 0.3)) }
        }
        return model
    }

    static func batch() -> (TokenBatch, [Float], [Float]) {
        var rng = SeededGenerator(seed: 8)
        let v = UInt64(config.vocabularySize)
        let batch = TokenBatch(tokens: (0..<14).map { _ in Int32(rng.next() % v) }, targets: (0..<14).map { _ in Int32(rng.next() % v) },
                               batchSize: 2, sequenceLength: 7, lengths: [7, 4])
        return (batch, (0..<14).map { _ in Float(rng.nextNormal()) }, (0..<14).map { _ in Float(rng.nextNormal() * 0.5) })
    }

    @Test("adapter gradients equal finite differences", arguments: [0.0, 0.3])
    func adapterGradientsMatchFiniteDifferences(_ dropout: Double) throws {
        let lora = LoRAConfiguration(rank: 2, alpha: 3, dropout: dropout)
        let model = try Self.model(lora)
        let (batch, dl, de) = Self.batch()
        func loss() throws -> Double {
            model.forwardCount = 0  // the same dropout masks in every evaluation
            return LlamaTrainingTests.loss(try model.forward(batch, temperature: 0.8), dl, de)
        }
        _ = try loss()
        model.zeroGradients()
        try model.backward(OutputGradients(dLogprob: dl, dEntropy: de))
        let layout = try #require(model.lora)
        #expect(model.trainedCount == layout.count)
        let indices = layout.tensors.flatMap { stride(from: $0.offset, to: $0.offset + $0.count, by: max(1, $0.count / 4)) }
        let worst = try finiteDifferenceError(model, indices: indices, loss: loss), checked = indices.count
        #expect(checked > 100)
        #expect(worst < 0.02, "worst relative error \(worst) over \(checked) adapter values")
    }

    @Test func dropoutMasksAreRedrawnIdenticallyWhenCheckpointing() throws {
        let (batch, dl, de) = Self.batch()
        var gradients: [[Float]] = []
        for checkpointed in [true, false] {
            let model = try Self.model(LoRAConfiguration(rank: 2, alpha: 3, dropout: 0.3), checkpointed: checkpointed)
            model.activationBudgetBytes = 0  // checkpoint even these tiny batches
            _ = try model.forward(batch, temperature: 1)
            try model.backward(OutputGradients(dLogprob: dl, dEntropy: de))
            gradients.append(model.gradientValues)
        }
        #expect(gradients[0] == gradients[1])
    }

    @Test func freshAdaptersLeaveTheBaseUnchangedAndMergeExactly() throws {
        let base = try LlamaTrainingModel(config: Self.config, seed: 3, deviation: 0.3, threads: 1)
        let fresh = try LlamaTrainingModel(config: Self.config, seed: 3, deviation: 0.3, lora: LoRAConfiguration(rank: 2, targets: [.q, .down]),
                                           threads: 1)
        let (batch, _, _) = Self.batch()
        #expect(try fresh.logits(batch) == base.logits(batch))
        // Trained adapters: the merged weights the host serves give the adapted model's logits.
        let adapted = try Self.model(LoRAConfiguration(rank: 2, alpha: 3, dropout: 0.3))
        let tokens: [Int32] = [1, 5, 2, 7, 3]
        let expected = try adapted.logits(TokenBatch(tokens: tokens, targets: tokens, batchSize: 1, sequenceLength: 5))
        let served = LlamaReferenceTests.logits(try adapted.snapshot(), tokens, allRows: true).flatMap { $0 }
        #expect(worstRelativeError(served, expected) < 1e-5)
        #expect(try base.logits(batch) != adapted.logits(batch))
    }

    @Test func trainingMovesOnlyTheAdapters() throws {
        let model = try Self.model(LoRAConfiguration(rank: 2, targets: [.v, .gate]))
        let (batch, dl, _) = Self.batch()
        let before = model.parameters.array
        _ = try model.forward(batch, temperature: 1)
        try model.backward(OutputGradients(dLogprob: dl))
        let adapters = model.parameterValues
        model.step(learningRate: 0.01)
        #expect(model.parameters.array == before)
        #expect(model.parameterValues != adapters)
    }

    @Test func impossibleAdaptersAreRefused() {
        for (lora, reason) in [(LoRAConfiguration(rank: 13), "larger than"), (LoRAConfiguration(rank: 0), "positive"),
                               (LoRAConfiguration(targets: []), "at least one"), (LoRAConfiguration(rank: 2, dropout: 1), "dropout")] {
            #expect {
                _ = try LlamaTrainingModel(config: Self.config, seed: 1, lora: lora, threads: 1)
            } throws: { ($0 as? ModelError)?.message.contains(reason) == true }
        }
        #expect(LoRAConfiguration.Target(name: "self_attn.q_proj") == .q)
        #expect(LoRAConfiguration.Target(name: "down") == .down)
        #expect(LoRAConfiguration.Target(name: "lm_head") == nil)
    }
}

/// Checkpoints of Llama training models: a restored model continues exactly as the saved one would.
@Suite struct LlamaCheckpointTests {
    static func trainStep(_ model: LlamaTrainingModel) throws {
        let (batch, dl, de) = LoRATrainingTests.batch()
        model.forwardCount = 0
        _ = try model.forward(batch, temperature: 1)
        model.zeroGradients()
        try model.backward(OutputGradients(dLogprob: dl, dEntropy: de))
        model.clipGradients(maxNorm: 1)
        model.step(learningRate: 0.01)
    }

    @Test("save, restore and continue: the same values as never stopping", arguments: [nil, LoRAConfiguration(rank: 2, dropout: 0.1)])
    func restoredModelContinuesIdentically(_ lora: LoRAConfiguration?) throws {
        let path = NSTemporaryDirectory() + "llama-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let make = { try LlamaTrainingModel(config: LoRATrainingTests.config, seed: 3, deviation: 0.3, lora: lora, threads: 1) }
        let original = try make()
        try Self.trainStep(original)
        original.version = 7
        try original.saveCheckpoint(to: path)
        try Self.trainStep(original)
        let restored = try make()
        try restored.restoreCheckpoint(from: path)
        #expect(restored.version == 7 && restored.optimizerStep == 1)
        try Self.trainStep(restored)
        #expect(restored.parameterValues == original.parameterValues)
    }

    @Test func checkpointsOfAnotherModelAreRefused() throws {
        let path = NSTemporaryDirectory() + "llama-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let adapter = try LlamaTrainingModel(config: LoRATrainingTests.config, seed: 3, lora: LoRAConfiguration(rank: 2), threads: 1)
        try adapter.saveCheckpoint(to: path)
        let full = try LlamaTrainingModel(config: LoRATrainingTests.config, seed: 3, threads: 1)
        let before = full.parameterValues
        #expect { try full.restoreCheckpoint(from: path) } throws: { ($0 as? ModelError)?.message.contains("LoRA adapter") == true }
        var other = LoRATrainingTests.config
        other.hiddenWidth = 24
        let otherBase = try LlamaTrainingModel(config: other, seed: 3, lora: LoRAConfiguration(rank: 2), threads: 1)
        #expect { try otherBase.restoreCheckpoint(from: path) } throws: { ($0 as? ModelError)?.message.contains("another base") == true }
        #expect(full.parameterValues == before)
    }
}

/// LoRA snapshots served as the base plus adapters: the runner's output equals the training forward.
@Suite struct ServedAdapterTests {
    @Test("the runner with served adapters gives the adapted model's logits", arguments: ["hf-llama-f32", "gguf-llama-q8_0-q4_0-q4_1"])
    func servedAdaptersMatchTraining(_ name: String) throws {
        let weights = try LlamaReferenceTests.load(name)
        let model = try LlamaTrainingModel(weights: weights, lora: LoRAConfiguration(rank: 2, alpha: 4), seed: 2, threads: 1)
        var rng = SeededGenerator(seed: 4)
        for adapter in try #require(model.lora).adapters.joined() {
            for i in 0..<(adapter.outFeatures * 2) { try model.setParameter(at: adapter.b + i, to: Float(rng.nextNormal() * 0.2)) }
        }
        let tokens: [Int32] = [1, 7, 3, 9, 2, 5]
        let trained = try model.logits(TokenBatch(tokens: tokens, targets: tokens, batchSize: 1, sequenceLength: tokens.count))
        let snapshot = try model.snapshot()
        #expect(snapshot.adapters != nil && snapshot.blocks[0].qkv === weights.blocks[0].qkv, "the base is shared, not copied")
        let served = LlamaReferenceTests.logits(snapshot, tokens, allRows: true).flatMap { $0 }
        let base = LlamaReferenceTests.logits(weights, tokens, allRows: true).flatMap { $0 }
        // Float weights: rounding only; quantized ones: the runner's quantized-input products (as for the base).
        let tolerance: Float = LlamaReferenceTests.tolerance(weights) == 1e-4 ? 1e-5 : 4e-3
        #expect(worstRelativeError(served, trained) < tolerance)
        #expect(worstRelativeError(base, trained) > 10 * tolerance, "the adapters change the output")
    }
}
