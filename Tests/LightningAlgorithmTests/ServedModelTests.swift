import Foundation
import LightningAlgorithm
import LightningModel
import Testing

@Suite struct ServedModelTests {
    func checkpointFile(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("served-\(UUID().uuidString)-\(name).ckpt")
        let weights = try ModelWeights(config: TestHost.tinyConfig, seed: 2)
        try Checkpoint(weights: weights, version: 12).write(to: url)
        return url
    }

    @Test("a checkpoint is served with its weights and version")
    func checkpoint() throws {
        let url = try checkpointFile("good")
        defer { try? FileManager.default.removeItem(at: url) }
        let model = try ServedModel.load(checkpoint: url.path, size: "S", seed: 0)
        #expect(model.version == 12 && model.weights.config == TestHost.tinyConfig)
    }

    @Test("a truncated checkpoint is refused with checkpoint_truncated")
    func truncated() throws {
        let url = try checkpointFile("truncated")
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: try handle.seekToEnd() - 100)
        try handle.close()
        #expect { try ServedModel.load(checkpoint: url.path, size: "S", seed: 0) } throws: { error in
            (error as? ServeError)?.code == "checkpoint_truncated" && "\(error)".contains(url.path)
        }
    }

    @Test("a corrupt checkpoint is refused with checkpoint_checksum_mismatch")
    func corrupt() throws {
        let url = try checkpointFile("corrupt")
        defer { try? FileManager.default.removeItem(at: url) }
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: url)
        #expect { try ServedModel.load(checkpoint: url.path, size: "S", seed: 0) } throws: { error in
            (error as? ServeError)?.code == "checkpoint_checksum_mismatch"
        }
    }

    @Test("a file that is no checkpoint, or none at all, is refused")
    func notACheckpoint() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("served-\(UUID().uuidString).txt")
        try Data("hello, this is not a model".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect { try ServedModel.load(checkpoint: url.path, size: "S", seed: 0) } throws: { error in
            (error as? ServeError)?.code == "checkpoint_not_a_checkpoint"
        }
        #expect { try ServedModel.load(checkpoint: url.path + ".missing", size: "S", seed: 0) } throws: { error in
            (error as? ServeError)?.code == "checkpoint_io"
        }
    }

    @Test("without a checkpoint a fresh model of the named size is version 0; unknown sizes are refused")
    func fresh() throws {
        let model = try ServedModel.load(checkpoint: nil, size: "s", seed: 4)
        #expect(model.weights.config == .small && model.version == 0)
        #expect(ModelHostConfiguration.defaultModelName(for: model.weights.config) == "lightning-s")
        #expect { try ServedModel.load(checkpoint: nil, size: "XL", seed: 0) } throws: { error in
            (error as? ServeError)?.code == "invalid_size"
        }
    }
}
