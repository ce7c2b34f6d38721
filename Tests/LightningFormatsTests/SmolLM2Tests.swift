import Foundation
import LightningFormats
import Testing

/// Where the build installs the SmolLM2-135M-Instruct Q4_1 GGUF.
let smolLM2Path = FileManager.default.homeDirectoryForCurrentUser
    .appendingPathComponent(".cache/agent-lightning-swift/models/SmolLM2-135M-Instruct.Q4_1.gguf").path

/// The real SmolLM2-135M-Instruct Q4_1 GGUF (`make test` installs it) reads as `gguf` Python reads it.
@Suite struct SmolLM2Tests {
    static let modelPath = smolLM2Path

    @Test func metadataAndTensorsMatchPython() throws {
        let file = try GGUFFile(path: Self.modelPath)
        let expected = try Fixtures.json("smollm2-expected.json")
        #expect(file.version == 3)
        #expect(file.tensors.count == expected["tensor_count"]?.int)
        #expect(file.dataOffset == expected["data_offset"]?.int)
        let m = file.metadata
        for (key, value) in try #require(expected["metadata"]?.object) {
            if let string = value.string {
                #expect(m[key]?.string == string, "\(key)")
            } else {
                #expect(m[key]?.int == value.int, "\(key)")
            }
        }
        #expect(m["llama.rope.freq_base"].map { if case .float32(let v) = $0 { Int(v.bitPattern) } else { nil } } == expected["rope_freq_base_bits"]?.int)
        #expect(m["llama.attention.layer_norm_rms_epsilon"].map { if case .float32(let v) = $0 { Int(v.bitPattern) } else { nil } } == expected["rms_eps_bits"]?.int)
        let tokens = try #require(m["tokenizer.ggml.tokens"]?.stringArray)
        #expect(tokens.count == expected["token_count"]?.int)
        #expect(Array(tokens.prefix(5)) == expected["tokens_head"]?.array?.compactMap(\.string))
        #expect(tokens.last == expected["token_last"]?.string)
        let merges = try #require(m["tokenizer.ggml.merges"]?.stringArray)
        #expect(merges.count == expected["merge_count"]?.int)
        #expect(Array(merges.prefix(3)) == expected["merges_head"]?.array?.compactMap(\.string))
        #expect(m["tokenizer.ggml.token_type"]?.intArray?.count == tokens.count)
        let prefix = try #require(expected["chat_template_prefix"]?.string)
        #expect(m["tokenizer.chat_template"]?.string?.hasPrefix(prefix) == true)
    }

    @Test(arguments: ["token_embd.weight", "blk.0.attn_q.weight"])
    func dequantizesLikePython(name: String) throws {
        let file = try GGUFFile(path: Self.modelPath)
        let expected = try #require(try Fixtures.json("smollm2-expected.json")["tensors"]?[name])
        let info = try #require(file.tensorInfo(named: name))
        #expect(info.type.name == expected["type"]?.string)
        #expect(info.dimensions == expected["ne"]?.array?.compactMap(\.int))
        #expect(info.fileOffset == expected["file_offset"]?.int)
        #expect(info.byteCount == expected["n_bytes"]?.int)
        let view = try file.tensor(named: name)
        #expect(view.shape == Array(info.dimensions.reversed()))
        let floats = try view.floats()
        let indices = expected["indices"]?.array?.compactMap(\.int) ?? []
        let bits = expected["bits"]?.array?.compactMap(\.int) ?? []
        #expect(indices.count >= 300)
        #expect(indices.map { Int(floats[$0].bitPattern) } == bits)
    }
}
