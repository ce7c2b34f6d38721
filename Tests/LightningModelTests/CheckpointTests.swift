import Foundation
import LightningModel
import Testing

@Suite struct CheckpointTests {
    let directory: URL
    let config = ModelConfig(layers: 2, heads: 2, width: 16, context: 16, valueHead: true)

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lm-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func trainedModel() throws -> TrainingModel {
        let model = try TrainingModel(config: config, seed: 4, optimizer: AdamW(beta2: 0.99, weightDecay: 0.05), threads: 1)
        let tokens: [Int32] = Array(ByteTokenizer().encode("checkpoint data!"))
        let batch = TokenBatch(tokens: tokens, targets: tokens.reversed(), batchSize: 2, sequenceLength: 8)
        for _ in 0..<2 {
            let out = try model.forward(batch)
            model.zeroGradients()
            try model.backward(OutputGradients(dLogprob: out.logprobs.map { _ in -0.1 }, dValue: out.logprobs.map { _ in 0.05 }))
            model.step(learningRate: 1e-2)
        }
        model.version = 17
        return model
    }

    func bits(_ xs: [Float]) -> [UInt32] { xs.map(\.bitPattern) }

    @Test func roundTripIsBitExact() throws {
        let model = try trainedModel()
        let url = directory.appendingPathComponent("model.ckpt")
        try model.save(to: url)
        let loaded = try TrainingModel(contentsOf: url, threads: 1)
        #expect(loaded.config == model.config)
        #expect(loaded.version == 17)
        #expect(loaded.optimizerStep == 2)
        #expect(loaded.optimizer == model.optimizer)
        #expect(bits(loaded.parameterValues) == bits(model.parameterValues))
        let a = model.checkpoint().optimizer!.moments, b = loaded.checkpoint().optimizer!.moments
        #expect(bits(a.first) == bits(b.first) && bits(a.second) == bits(b.second))
        // Only the final file remains (the temporary one was renamed).
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.ckpt"])
        // Resumed training continues identically.
        let tokens: [Int32] = Array(ByteTokenizer().encode("abcdefgh"))
        let batch = TokenBatch(tokens: tokens, targets: tokens, batchSize: 1, sequenceLength: 8)
        for m in [model, loaded] {
            let out = try m.forward(batch)
            m.zeroGradients()
            try m.backward(OutputGradients(dLogprob: out.logprobs.map { _ in -1 }))
            m.step(learningRate: 1e-2)
        }
        #expect(bits(loaded.parameterValues) == bits(model.parameterValues))
    }

    @Test func weightsOnlyCheckpoint() throws {
        let weights = try ModelWeights(config: config, seed: 8)
        let url = directory.appendingPathComponent("weights.ckpt")
        try Checkpoint(weights: weights, version: 3).write(to: url)
        let back = try Checkpoint.read(from: url)
        #expect(back.optimizer == nil)
        #expect(back.version == 3)
        #expect(bits(back.weights.values) == bits(weights.values))
        // Overwriting replaces the file atomically.
        try Checkpoint(weights: weights, version: 4).write(to: url)
        #expect(try Checkpoint.read(from: url).version == 4)
    }

    func expectRejected(_ bytes: [UInt8], _ code: CheckpointError.Code, _ name: String) throws {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        do {
            _ = try Checkpoint.read(from: url)
            Issue.record("\(name) was accepted")
        } catch {
            #expect(error.code == code, "\(name): \(error)")
            #expect(error.description.contains(name))
        }
    }

    @Test func corruptOrTruncatedFilesAreRefused() throws {
        let url = directory.appendingPathComponent("good.ckpt")
        try trainedModel().save(to: url)
        let good = Array(try Data(contentsOf: url))
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        try expectRejected(flipped, .checksumMismatch, "flipped.ckpt")
        try expectRejected(Array(good.prefix(good.count - 1)), .truncated, "short.ckpt")
        try expectRejected(Array(good.prefix(good.count / 3)), .truncated, "third.ckpt")
        try expectRejected(good + [0], .truncated, "long.ckpt")
        try expectRejected(Array(good.prefix(10)), .notACheckpoint, "tiny.ckpt")
        try expectRejected(Array("just some text, not a model at all".utf8), .notACheckpoint, "text.ckpt")
        var future = good
        future[8] = 9
        try expectRejected(future, .unsupportedVersion, "future.ckpt")
        var header = good
        header[17] = UInt8(ascii: "#")  // inside the JSON header
        try expectRejected(header, .corruptHeader, "header.ckpt")
        #expect(throws: CheckpointError.self) { try Checkpoint.read(from: directory.appendingPathComponent("missing.ckpt")) }
    }
}
