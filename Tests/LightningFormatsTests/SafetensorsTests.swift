import Foundation
import LightningFormats
import Testing

/// Safetensors files and Hugging Face folders written by the `safetensors` package read back exactly.
@Suite struct SafetensorsTests {
    let expected: JSONValue

    init() throws {
        expected = try Fixtures.json("safetensors/expected.json")
    }

    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks every tensor of `folder` against the expected bytes, dtypes, shapes and float bits.
    func check(_ folder: HuggingFaceFolder, _ entries: [JSONValue]) throws {
        #expect(Set(folder.tensorNames) == Set(entries.compactMap { $0["name"]?.string }))
        for entry in entries {
            let name = try #require(entry["name"]?.string)
            let shard = try #require(folder.shard(containing: name))
            #expect(shard.path.hasSuffix(try #require(entry["file"]?.string)))
            let (dtype, shape, hex) = try shard.withRawBytes(named: name) { info, bytes in
                (info.dtype.rawValue, info.shape, Self.hex(bytes))
            }
            #expect(dtype == entry["dtype"]?.string, "\(name)")
            #expect(shape == entry["shape"]?.array?.compactMap(\.int), "\(name)")
            #expect(hex == entry["hex"]?.string, "\(name)")
            if let bits = entry["bits"]?.array {
                let view = try folder.tensor(named: name)
                #expect(view.shape == shape)
                #expect(try view.floats().map { Int($0.bitPattern) } == bits.compactMap(\.int), "\(name)")
            }
        }
    }

    @Test func singleFileFolder() throws {
        let folder = try HuggingFaceFolder(path: Fixtures.path("safetensors/single"))
        try check(folder, try #require(expected["single"]?.array))
        #expect(folder.shards.count == 1)
        #expect(folder.shards[0].metadata == ["format": "pt", "note": "fixture"])
        #expect(folder.config["hidden_size"]?.int == 576)
        #expect(folder.config["rms_norm_eps"]?.double == 1e-05)
        #expect(folder.config["rope_theta"]?.double == 100_000)
        #expect(folder.config["tie_word_embeddings"]?.bool == true)
        #expect(folder.config["rope_scaling"]?.isNull == true)
        #expect(folder.config["eos_token_id"]?.array?.compactMap(\.int) == [2, 3])
        #expect(folder.config["architectures"]?.array?.first?.string == "LlamaForCausalLM")
        #expect(folder.generationConfig?["temperature"]?.double == 0.2)
        #expect(folder.tokenizerData != nil)
        #expect(folder.chatTemplate() == "{% for m in messages %}{{ m['content'] }}{% endfor %}")
        #expect(folder.chatTemplates.map(\.name) == ["default"])
    }

    @Test func shardedFolder() throws {
        let folder = try HuggingFaceFolder(path: Fixtures.path("safetensors/sharded"))
        try check(folder, try #require(expected["sharded"]?.array))
        #expect(folder.shards.count == 2)
        #expect(folder.generationConfig == nil)
        #expect(folder.tokenizerData == nil)
        #expect(folder.chatTemplates == [
            ChatTemplate(name: "default", template: "{{ messages }}"),
            ChatTemplate(name: "tool_use", template: "{{ tools }}"),
        ])
        #expect(folder.chatTemplate(named: "tool_use") == "{{ tools }}")
        #expect(folder.chatTemplate(named: "rag") == nil)
        let error = formatError { _ = try folder.tensor(named: "missing.weight") }
        #expect(error?.code == .tensorNotFound)
        #expect(error?.message.contains("missing.weight") == true)
    }

    @Test func integerTensorsViewAsRawAndUnsignedNeedRawAccess() throws {
        let file = try SafetensorsFile(path: Fixtures.path("safetensors/single/model.safetensors"))
        let positions = try file.tensor(named: "model.positions")
        #expect(positions.type == .i64)
        #expect((0..<3).map { positions.bytes.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self) } == [-1, 0, 1 << 40])
        #expect(formatError { _ = try positions.floats() }?.code == .unsupportedTensorType)
        let error = formatError { _ = try file.tensor(named: "model.mask") }
        #expect(error?.code == .unsupportedDType)
        #expect(error?.message.contains("model.mask") == true)
        #expect(try file.withRawBytes(named: "model.mask") { Array($1) } == [0, 1, 1, 0, 255])
        #expect(try file.tensor(named: "model.scale").shape == [])
        #expect(try file.floats(named: "model.scale") == [0.5])
    }

    @Test func folderWithoutWeightsOrConfig() throws {
        try Fixtures.withTemporaryDirectory { directory in
            #expect(formatError { _ = try HuggingFaceFolder(path: directory.path) }?.code == .missingFile)
            try Data("{}".utf8).write(to: directory.appendingPathComponent("config.json"))
            let error = formatError { _ = try HuggingFaceFolder(path: directory.path) }
            #expect(error?.code == .missingFile)
            #expect(error?.message.contains("model.safetensors") == true)
        }
    }

    @Test func indexNamingAMissingShardOrTensor() throws {
        try Fixtures.withTemporaryDirectory { directory in
            let source = Fixtures.directory.appendingPathComponent("safetensors/sharded")
            for name in ["config.json", "model-00001-of-00002.safetensors"] {
                try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: directory.appendingPathComponent(name))
            }
            let index = directory.appendingPathComponent("model.safetensors.index.json")
            try Data(#"{"weight_map": {"a": "model-00001-of-00002.safetensors"}}"#.utf8).write(to: index)
            let missingTensor = formatError { _ = try HuggingFaceFolder(path: directory.path) }
            #expect(missingTensor?.code == .tensorNotFound)
            #expect(missingTensor?.message.contains("'a'") == true)
            try Data(#"{"weight_map": {"a": "model-00002-of-00002.safetensors"}}"#.utf8).write(to: index)
            #expect(formatError { _ = try HuggingFaceFolder(path: directory.path) }?.code == .missingFile)
            try Data(#"{"weight_map": {"a": "../../etc/passwd"}}"#.utf8).write(to: index)
            #expect(formatError { _ = try HuggingFaceFolder(path: directory.path) }?.code == .invalidJSON)
            try Data(#"{"weight_map": 3}"#.utf8).write(to: index)
            #expect(formatError { _ = try HuggingFaceFolder(path: directory.path) }?.code == .invalidJSON)
        }
    }
}
