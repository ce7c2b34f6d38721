import Foundation
import LightningTokenizer
import Testing

/// Token ids and decoded text equal Hugging Face `tokenizers` 0.23.3 on the 720-string corpus
/// (fixtures written by `Tools/reference/make_tokenizer_fixtures.py`).
@Suite struct TokenizerReferenceTests {
    struct Expected: Decodable {
        let ids: [[Int32]]
        let plain_text_ids: [String: [Int32]]
        let decoded: [String: String]
        let decoded_skipping_special: [String: String]
    }

    struct GGUFDump: Decodable {
        let model: String
        let pre: String?
        let tokens: [String]
        let token_type: [Int]
        let merges: [String]
        let bos_token_id: Int32?
        let eos_token_id: Int32?
        let add_bos_token: Bool?
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let corpus: [String] = try! JSONDecoder().decode([String].self, from: Data(contentsOf: fixtures.appendingPathComponent("corpus.json")))

    static func expected(_ name: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixtures.appendingPathComponent("expected/\(name).json")))
    }

    static func smolLM2() throws -> Tokenizer {
        let dump = try JSONDecoder().decode(GGUFDump.self, from: Data(contentsOf: fixtures.appendingPathComponent("smollm2-gguf.json")))
        return try Tokenizer(gguf: GGUFTokenizerData(
            model: dump.model, pre: dump.pre, tokens: dump.tokens, tokenTypes: dump.token_type, merges: dump.merges,
            bosID: dump.bos_token_id, eosID: dump.eos_token_id, addBOS: dump.add_bos_token))
    }

    static func check(_ tokenizer: Tokenizer, _ expected: Expected) {
        var mismatches = 0
        #expect(expected.ids.count == corpus.count)
        for (index, text) in corpus.enumerated() where index < expected.ids.count {
            let key = String(index)
            let ids = expected.ids[index]
            let got = tokenizer.encode(text)
            if got != ids {
                mismatches += 1
                if mismatches <= 5 { Issue.record("string \(index) \(text.debugDescription.prefix(80)): \(got.prefix(20)) ≠ \(ids.prefix(20))") }
            }
            if let plain = expected.plain_text_ids[key] { #expect(tokenizer.encode(text, parseSpecialTokens: false) == plain, "plain \(index)") }
            let decodedExpected = expected.decoded[key] ?? text
            #expect(tokenizer.decode(ids) == decodedExpected, "decode \(index)")
            #expect(tokenizer.decode(ids, skipSpecialTokens: true) == (expected.decoded_skipping_special[key] ?? decodedExpected), "decode skipping \(index)")
        }
        #expect(mismatches == 0, "\(mismatches) of \(corpus.count) strings differ")
    }

    @Test("SmolLM2's GGUF tokenizer gives the ids of its tokenizer.json")
    func smolLM2MatchesReference() throws {
        Self.check(try Self.smolLM2(), try Self.expected("smollm2"))
    }

    @Test("tokenizer.json byte-level BPE: GPT-2 (with and without a prefix space), Llama 3 (ignore_merges), Qwen2 (NFC), single digits",
          arguments: ["gpt2", "gpt2-prefix-space", "llama3", "qwen2", "digits-bytelevel"])
    func tokenizerJSONMatchesReference(_ name: String) throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("tokenizers/\(name).json"))
        Self.check(try Tokenizer(tokenizerJSON: data), try Self.expected(name))
    }

    @Test("a run of 100,000 equal characters tokenizes (merging is not quadratic)")
    func longRun() throws {
        let tokenizer = try Self.smolLM2()
        let ids = tokenizer.encode(String(repeating: "a", count: 100_000))
        #expect(tokenizer.decode(ids) == String(repeating: "a", count: 100_000))
    }

    @Test("SentencePiece-style BPE (byte fallback, Metaspace) is refused with the field named",
          arguments: ["llama2-sp", "mistral-metaspace"])
    func sentencePieceRefused(_ name: String) throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("tokenizers/\(name).json"))
        do {
            _ = try Tokenizer(tokenizerJSON: data)
            Issue.record("\(name) was accepted")
        } catch {
            #expect(error.code == "unsupported_tokenizer")
            #expect(error.message.contains("byte_fallback") || error.message.contains("Metaspace"), "\(error.message)")
        }
    }

    @Test("malformed tokenizer files are refused with the field named")
    func malformed() throws {
        #expect(throws: TokenizerError.self) { try Tokenizer(tokenizerJSON: Data("[]".utf8)) }
        #expect(throws: TokenizerError.self) { try Tokenizer(tokenizerJSON: Data(#"{"model": {"type": "Unigram"}}"#.utf8)) }
        let badMerge = #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}"#
        do {
            _ = try Tokenizer(tokenizerJSON: Data(badMerge.utf8))
            Issue.record("a merge of a missing token was accepted")
        } catch {
            #expect(error.code == "invalid_merge")
        }
    }
}
