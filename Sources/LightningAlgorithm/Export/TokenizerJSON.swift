import Foundation
import LightningCore
import LightningTokenizer

/// A Hugging Face `tokenizer.json` for a GGUF file's byte-level BPE tokenizer (`tokenizer.ggml.*`):
/// the vocabulary and merges as stored, control and user-defined tokens as added tokens, and the
/// pre-tokenizer llama.cpp's `tokenizer.ggml.pre` name stands for, written as the `tokenizers`
/// library spells it (the regular expressions are the published ones of GPT-2, Llama 3 and Qwen2).
enum TokenizerJSON {
    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    static func make(_ data: GGUFTokenizerData) throws -> Data {
        guard data.model == "gpt2" else {
            throw LightningError(.badRequest, "only byte-level BPE tokenizers (tokenizer.ggml.model gpt2) can be exported, not \(data.model)")
        }
        let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        func split(_ pattern: String) -> [String: Any] {
            ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": pattern], "behavior": "Isolated", "invert": false],
                byteLevel.merging(["use_regex": false]) { $1 },
            ]]
        }
        let pre = data.pre ?? "default"
        var normalizer: Any = NSNull(), ignoreMerges = false
        let preTokenizer: [String: Any]
        switch pre {
        case "default", "gpt2": preTokenizer = byteLevel
        case "smollm": preTokenizer = ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], byteLevel]]
        case "llama-bpe", "llama3":
            preTokenizer = split(llama3Pattern)
            ignoreMerges = true
        case "qwen2":
            preTokenizer = split(qwen2Pattern)
            normalizer = ["type": "NFC"]
        default:
            throw LightningError(.badRequest, "the pre-tokenizer '\(pre)' has no tokenizer.json equivalent here")
        }
        var vocabulary: [String: Int] = [:]
        for (id, token) in data.tokens.enumerated() where vocabulary[token] == nil { vocabulary[token] = id }
        let added: [[String: Any]] = (data.tokenTypes ?? []).enumerated().compactMap { id, type in
            guard type == 3 || type == 4 else { return nil }
            return ["id": id, "content": data.tokens[id], "single_word": false, "lstrip": false, "rstrip": false,
                    "normalized": type == 4, "special": type == 3]
        }
        var postProcessor: Any = NSNull()
        if data.addBOS == true, let bos = data.bosID {
            let token = data.tokens[Int(bos)]
            postProcessor = ["type": "TemplateProcessing",
                             "single": [["SpecialToken": ["id": token, "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]],
                             "pair": [["SpecialToken": ["id": token, "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]],
                                      ["SpecialToken": ["id": token, "type_id": 1]], ["Sequence": ["id": "B", "type_id": 1]]],
                             "special_tokens": [token: ["id": token, "ids": [Int(bos)], "tokens": [token]]]]
        }
        let object: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added, "normalizer": normalizer,
            "pre_tokenizer": preTokenizer, "post_processor": postProcessor,
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                      "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "ignore_merges": ignoreMerges,
                      "vocab": vocabulary, "merges": data.merges],
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
