import Foundation
import LightningFormats
@testable import LightningModel
import Testing

/// The Llama-family runner against the numpy reference (`Tools/reference/llama_reference.py`): tiny
/// random models of every supported file format, tensor type and RoPE layout, written with the `gguf`
/// and `safetensors` packages by `Tools/reference/make_model_fixtures.py`.
@Suite struct LlamaReferenceTests {
    struct Expected: Decodable {
        struct Case: Decodable {
            let tokens: [Int32]
            let lastLogits: [Float]
            let allLogits: [[Float]]?
            let greedy: [Int32]
        }

        let name: String
        let format: String
        let cases: [Case]
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/llama")
    static let models = ["gguf-llama-f32", "hf-llama-f32", "gguf-llama-f16", "gguf-llama-q8_0-q4_0-q4_1", "gguf-llama-q4_k-q6_k",
                         "gguf-llama-output-ropefreqs", "hf-llama-bf16-sharded", "gguf-qwen2-bias", "hf-qwen2-f16"]

    static func expected(_ name: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent("\(name)/expected.json")))
    }

    static func load(_ name: String, adjacentRotation: Bool = false) throws -> LlamaWeights {
        let path = directory.appendingPathComponent(name).path
        if name.hasPrefix("gguf") {
            return try LlamaWeights.load(gguf: GGUFFile(path: path + "/model.gguf"), adjacentRotation: adjacentRotation)
        }
        return try LlamaWeights.load(huggingFace: HuggingFaceFolder(path: path))
    }

    /// Logits of `tokens` prefilled into slot 0 of a fresh runner (every row, or the last).
    static func logits(_ weights: LlamaWeights, _ tokens: [Int32], allRows: Bool) -> [[Float]] {
        let runner = weights.makeRunner(RunnerConfiguration(slots: 2, maxRows: 64, threads: 2, cachePositions: 256))
        #expect(runner.reserve(slot: 0, positions: tokens.count))
        let rows = tokens.withUnsafeBufferPointer { runner.run(weights: weights, chunks: [DecoderChunk(slot: 0, start: 0, tokens: $0)], allRows: allRows) }
        let v = weights.vocabularySize
        return (0..<rows).map { Array(UnsafeBufferPointer(start: runner.logits + $0 * v, count: v)) }
    }

    /// Greedy continuation with the KV cache, one decode step per token.
    static func greedy(_ weights: LlamaWeights, _ prompt: [Int32], count: Int) -> [Int32] {
        let runner = weights.makeRunner(RunnerConfiguration(slots: 1, maxRows: 64, threads: 2, cachePositions: 256))
        var tokens = prompt, start = 0, out: [Int32] = []
        while out.count < count {
            #expect(runner.reserve(slot: 0, positions: tokens.count + start))
            _ = tokens.withUnsafeBufferPointer { runner.run(weights: weights, chunks: [DecoderChunk(slot: 0, start: start, tokens: $0)], allRows: false) }
            start += tokens.count
            let row = UnsafeBufferPointer(start: runner.logits, count: weights.vocabularySize)
            let next = Int32(row.indices.max { row[$0] < row[$1] }!)
            out.append(next)
            tokens = [next]
        }
        return out
    }

    static func maxError(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }

    /// The relative logit error allowed: float rounding for float weights; with quantized weights, steps
    /// of fewer than 16 rows also quantize the inputs of their products to 16 bits per 32 columns
    /// (measured up to 1.8e-3 on these random models, whose logits are far more sensitive than a
    /// trained model's: SmolLM2 keeps the reference's greedy tokens and top-5 ranks).
    static func tolerance(_ weights: LlamaWeights) -> Float {
        weights.blocks.contains { $0.qkv.matrices.contains { $0.encoding != .dense } } ? 4e-3 : 1e-4
    }

    @Test("logits of every position equal the numpy reference", arguments: models)
    func logitsMatch(_ name: String) throws {
        let expected = try Self.expected(name)
        let weights = try Self.load(name)
        let tolerance = Self.tolerance(weights)
        for c in expected.cases {
            let last = try #require(Self.logits(weights, c.tokens, allRows: false).first)
            #expect(Self.maxError(last, c.lastLogits) < tolerance, "\(name), \(c.tokens.count) tokens")
            if let all = c.allLogits {
                let rows = Self.logits(weights, c.tokens, allRows: true)
                #expect(rows.count == all.count)
                for (row, reference) in zip(rows, all) { #expect(Self.maxError(row, reference) < tolerance, "\(name), every row") }
            }
        }
    }

    @Test("greedy decoding with the KV cache gives the reference's tokens", arguments: models)
    func greedyMatches(_ name: String) throws {
        let expected = try Self.expected(name)
        let weights = try Self.load(name)
        for c in expected.cases {
            #expect(Self.greedy(weights, c.tokens, count: c.greedy.count) == c.greedy, "\(name), \(c.tokens.count) tokens")
        }
    }

    @Test("GGUF llama files run the same with adjacent-pair rotation on their permuted rows", arguments: ["gguf-llama-f32", "gguf-llama-q8_0-q4_0-q4_1", "gguf-llama-output-ropefreqs"])
    func adjacentLayout(_ name: String) throws {
        let expected = try Self.expected(name)
        let weights = try Self.load(name, adjacentRotation: true)
        #expect(weights.config.rope.pairing == .adjacent)
        for c in expected.cases {
            let last = try #require(Self.logits(weights, c.tokens, allRows: false).first)
            #expect(Self.maxError(last, c.lastLogits) < Self.tolerance(weights))
        }
    }

    @Test("the configuration comes from the file's metadata")
    func configuration() throws {
        let gguf = try Self.load("gguf-qwen2-bias").config
        #expect(gguf.architecture == "qwen2" && gguf.attentionBias && gguf.kvHeads == 2 && gguf.heads == 4 && gguf.tiedEmbeddings)
        let hf = try Self.load("hf-llama-bf16-sharded").config
        #expect(hf.rope.llama3Scaling != nil && !hf.tiedEmbeddings)
        let quantized = try Self.load("gguf-llama-q8_0-q4_0-q4_1")
        #expect(quantized.blocks[0].qkv.matrices.contains { $0.encoding != .dense })
    }
}
