import Foundation

/// A tokenizer as GGUF metadata describes it (`tokenizer.ggml.*`).
public struct GGUFTokenizerData: Sendable {
    /// `tokenizer.ggml.model`: `gpt2` (byte-level BPE) is supported.
    public var model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer (`smollm`, `llama-bpe`, `qwen2`, `gpt2`, …).
    public var pre: String?
    public var tokens: [String]
    public var tokenTypes: [Int]?
    public var merges: [String]
    public var bosID: Int32?
    public var eosID: Int32?
    public var addBOS: Bool?

    public init(model: String, pre: String?, tokens: [String], tokenTypes: [Int]?, merges: [String],
                bosID: Int32?, eosID: Int32?, addBOS: Bool?) {
        self.model = model
        self.pre = pre
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.bosID = bosID
        self.eosID = eosID
        self.addBOS = addBOS
    }
}

extension Tokenizer {
    /// llama.cpp's pre-tokenizer names: the pattern, single digits, NFC, whole words first.
    static let ggufPreTokenizers: [String: (PreTokenizerPattern, Bool, Bool, Bool)] = [
        "default": (.gpt2, false, false, false), "gpt2": (.gpt2, false, false, false),
        "smollm": (.gpt2, true, false, false),
        "llama-bpe": (.llama3, false, false, true), "llama3": (.llama3, false, false, true),
        "qwen2": (.qwen2, false, true, false),
    ]

    /// The tokenizer of a GGUF file (control tokens, type 3, are special added tokens; user-defined
    /// ones, type 4, plain added tokens).
    public convenience init(gguf data: GGUFTokenizerData) throws(TokenizerError) {
        guard data.model == "gpt2" else {
            throw TokenizerError(code: "unsupported_tokenizer", "tokenizer.ggml.model '\(data.model)' is not supported (supported: gpt2, byte-level BPE)")
        }
        let pre = data.pre ?? "default"
        guard let (pattern, digits, nfc, whole) = Self.ggufPreTokenizers[pre] else {
            throw TokenizerError(code: "unsupported_tokenizer", "tokenizer.ggml.pre '\(pre)' is not supported (supported: \(Self.ggufPreTokenizers.keys.sorted().joined(separator: ", ")))")
        }
        if let types = data.tokenTypes, types.count != data.tokens.count {
            throw TokenizerError(code: "invalid_tokenizer", "tokenizer.ggml.token_type has \(types.count) entries for \(data.tokens.count) tokens")
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(data.merges.count)
        for (i, merge) in data.merges.enumerated() {
            let parts = merge.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw TokenizerError(code: "invalid_merge", "tokenizer.ggml.merges[\(i)] '\(merge)' is not two tokens") }
            merges.append((String(parts[0]), String(parts[1])))
        }
        let added = (data.tokenTypes ?? []).enumerated().compactMap { i, type in
            type == 3 || type == 4 ? AddedToken(id: Int32(i), content: data.tokens[i], special: type == 3) : nil
        }
        var configuration = Configuration(tokens: data.tokens, merges: merges, added: added, pattern: pattern)
        configuration.splitDigits = digits
        configuration.normalizeNFC = nfc
        configuration.ignoreMerges = whole
        configuration.bosID = data.bosID
        configuration.eosID = data.eosID
        configuration.addBOS = data.addBOS ?? false
        try self.init(configuration)
    }

    /// Known `Split` regexes of `tokenizer.json` pre-tokenizers.
    static let splitPatterns: [String: PreTokenizerPattern] = [
        #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#: .gpt2,
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#: .llama3,
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#: .qwen2,
    ]

    /// The tokenizer of a Hugging Face `tokenizer.json` (byte-level BPE).
    public convenience init(tokenizerJSON data: Data) throws(TokenizerError) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TokenizerError(code: "invalid_tokenizer", "tokenizer.json is not a JSON object")
        }
        guard let model = root["model"] as? [String: Any] else { throw TokenizerError(code: "invalid_tokenizer", "tokenizer.json has no model") }
        guard (model["type"] as? String ?? "BPE") == "BPE" else {
            throw TokenizerError(code: "unsupported_tokenizer", "tokenizer.json model.type '\(model["type"] ?? "")' is not supported (supported: BPE)")
        }
        if model["byte_fallback"] as? Bool == true {
            throw TokenizerError(code: "unsupported_tokenizer", "tokenizer.json model.byte_fallback (SentencePiece-style BPE) is not supported")
        }
        guard let vocab = model["vocab"] as? [String: Any] else { throw TokenizerError(code: "invalid_tokenizer", "tokenizer.json has no model.vocab") }
        var entries: [(String, Int)] = []
        for (token, value) in vocab {
            guard let id = value as? Int, id >= 0 else { throw TokenizerError(code: "invalid_tokenizer", "model.vocab['\(token)'] is not a token id") }
            entries.append((token, id))
        }
        let addedList = root["added_tokens"] as? [[String: Any]] ?? []
        let size = max(entries.map(\.1).max() ?? -1, addedList.compactMap { $0["id"] as? Int }.max() ?? -1) + 1
        guard size <= 4_000_000 else { throw TokenizerError(code: "invalid_tokenizer", "model.vocab ids reach \(size)") }
        var tokens = [String](repeating: "", count: size)
        for (token, id) in entries { tokens[id] = token }
        var added: [AddedToken] = []
        for (i, entry) in addedList.enumerated() {
            guard let id = entry["id"] as? Int, let content = entry["content"] as? String else {
                throw TokenizerError(code: "invalid_tokenizer", "added_tokens[\(i)] needs an id and content")
            }
            if tokens[id].isEmpty { tokens[id] = content }
            let special = entry["special"] as? Bool ?? false
            var token = AddedToken(id: Int32(id), content: content, special: special, normalized: entry["normalized"] as? Bool)
            token.singleWord = entry["single_word"] as? Bool ?? false
            token.lstrip = entry["lstrip"] as? Bool ?? false
            token.rstrip = entry["rstrip"] as? Bool ?? false
            added.append(token)
        }
        var merges: [(String, String)] = []
        for (i, merge) in (model["merges"] as? [Any] ?? []).enumerated() {
            if let pair = merge as? [String], pair.count == 2 {
                merges.append((pair[0], pair[1]))
            } else if let text = merge as? String, let space = text.firstIndex(of: " ") {
                merges.append((String(text[..<space]), String(text[text.index(after: space)...])))
            } else {
                throw TokenizerError(code: "invalid_merge", "model.merges[\(i)] is not a pair of tokens")
            }
        }
        var pattern: PreTokenizerPattern?
        var digits = false
        var prefixSpace = false
        func visit(_ node: Any?, _ path: String) throws(TokenizerError) {
            guard let node = node as? [String: Any] else { return }
            switch node["type"] as? String {
            case "Sequence":
                for (i, child) in (node["pretokenizers"] as? [Any] ?? []).enumerated() { try visit(child, "\(path).pretokenizers[\(i)]") }
            case "ByteLevel":
                prefixSpace = node["add_prefix_space"] as? Bool ?? false
                if node["use_regex"] as? Bool ?? true { pattern = pattern ?? .gpt2 }
            case "Split":
                let regex = (node["pattern"] as? [String: Any])?["Regex"] as? String ?? ""
                guard let known = Self.splitPatterns[regex], (node["behavior"] as? String) == "Isolated" else {
                    throw TokenizerError(code: "unsupported_tokenizer", "\(path): this Split pattern is not supported")
                }
                pattern = known
            case "Digits":
                digits = node["individual_digits"] as? Bool ?? false
                if !digits { throw TokenizerError(code: "unsupported_tokenizer", "\(path): Digits without individual_digits is not supported") }
            case let other:
                throw TokenizerError(code: "unsupported_tokenizer", "\(path): pre-tokenizer '\(other ?? "?")' is not supported")
            }
        }
        try visit(root["pre_tokenizer"], "pre_tokenizer")
        var nfc = false
        if let normalizer = root["normalizer"] as? [String: Any] {
            guard normalizer["type"] as? String == "NFC" else {
                throw TokenizerError(code: "unsupported_tokenizer", "normalizer '\(normalizer["type"] ?? "?")' is not supported (supported: NFC)")
            }
            nfc = true
        }
        var configuration = Configuration(tokens: tokens, merges: merges, added: added, pattern: pattern ?? .gpt2)
        configuration.splitDigits = digits
        configuration.normalizeNFC = nfc
        configuration.addPrefixSpace = prefixSpace
        configuration.ignoreMerges = model["ignore_merges"] as? Bool ?? false
        try self.init(configuration)
    }
}
