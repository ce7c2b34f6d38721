import Foundation
import Synchronization

/// A byte-level BPE tokenizer (GPT-2, Llama 3, Qwen2, SmolLM), built from GGUF `tokenizer.ggml.*`
/// metadata or a Hugging Face `tokenizer.json`: added and special tokens are split out first, the rest
/// is pre-tokenized by the model's pattern, mapped to byte-level characters and merged by rank.
/// Ids equal those of Hugging Face's `tokenizers` for the supported configurations.
public final class Tokenizer: Sendable {
    /// A token matched in the text as a whole before any merging (HF `added_tokens`, GGUF control and
    /// user-defined tokens). Special ones are dropped from decoded text.
    public struct AddedToken: Sendable, Hashable {
        public var id: Int32
        public var content: String
        public var special: Bool
        /// Matched only between non-word characters.
        public var singleWord = false
        /// Takes the whitespace before (`lstrip`) or after (`rstrip`) it.
        public var lstrip = false
        public var rstrip = false
        /// Matched in normalized text (after NFC) rather than in the raw text.
        public var normalized: Bool

        public init(id: Int32, content: String, special: Bool, normalized: Bool? = nil) {
            self.id = id
            self.content = content
            self.special = special
            self.normalized = normalized ?? !special
        }
    }

    /// How a tokenizer splits and merges, read from its file.
    public struct Configuration: Sendable {
        public var tokens: [String]
        /// Merges in rank order, as pairs of token strings.
        public var merges: [(String, String)]
        public var added: [AddedToken]
        public var pattern: PreTokenizerPattern
        /// Every digit its own piece before the pattern (SmolLM's `Digits(individual_digits)`).
        public var splitDigits = false
        /// NFC-normalise text first (Qwen2).
        public var normalizeNFC = false
        /// A space before each stretch of text that does not start with one (ByteLevel `add_prefix_space`).
        public var addPrefixSpace = false
        /// Words in the vocabulary are taken whole (Llama 3's `ignore_merges`).
        public var ignoreMerges = false
        public var bosID: Int32?
        public var eosID: Int32?
        public var addBOS = false

        public init(tokens: [String], merges: [(String, String)], added: [AddedToken], pattern: PreTokenizerPattern) {
            self.tokens = tokens
            self.merges = merges
            self.added = added
            self.pattern = pattern
        }
    }

    public let configuration: Configuration
    let ids: [String: Int32]
    /// (left id << 32 | right id) → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    /// The id of each byte's byte-level character (-1: not in the vocabulary).
    let byteIDs: [Int32]
    /// Added tokens by their first scalar, longest first.
    let addedByFirst: [Unicode.Scalar: [AddedToken]]
    let addedIDs: [Int32: AddedToken]
    private let cache = Mutex<[String: [Int32]]>([:])

    public init(_ configuration: Configuration) throws(TokenizerError) {
        self.configuration = configuration
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(configuration.tokens.count)
        for (i, token) in configuration.tokens.enumerated() where ids[token] == nil { ids[token] = Int32(i) }
        self.ids = ids
        var merges: [UInt64: (rank: Int32, id: Int32)] = [:]
        merges.reserveCapacity(configuration.merges.count)
        for (rank, (a, b)) in configuration.merges.enumerated() {
            guard let left = ids[a], let right = ids[b], let merged = ids[a + b] else {
                throw TokenizerError(code: "invalid_merge", "merge \(rank) ('\(a) \(b)') names a token that is not in the vocabulary")
            }
            let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
            if merges[key] == nil { merges[key] = (Int32(rank), merged) }
        }
        self.merges = merges
        byteIDs = ByteLevel.characters.map { ids[String(Character($0))] ?? -1 }
        var byFirst: [Unicode.Scalar: [AddedToken]] = [:]
        var addedIDs: [Int32: AddedToken] = [:]
        for token in configuration.added {
            guard token.id >= 0, Int(token.id) < configuration.tokens.count else {
                throw TokenizerError(code: "invalid_added_token", "added token '\(token.content)' has id \(token.id), outside the vocabulary of \(configuration.tokens.count)")
            }
            // Normalized tokens are matched in normalized text, so their content is normalized too
            // (HF also decodes them so).
            var matched = token
            if token.normalized, configuration.normalizeNFC { matched.content = token.content.precomposedStringWithCanonicalMapping }
            addedIDs[token.id] = matched
            guard let first = matched.content.unicodeScalars.first else { continue }
            byFirst[first, default: []].append(matched)
        }
        addedByFirst = byFirst.mapValues { $0.sorted { $0.content.unicodeScalars.count > $1.content.unicodeScalars.count } }
        self.addedIDs = addedIDs
    }

    public var vocabularySize: Int { configuration.tokens.count }
    public var bosID: Int32? { configuration.bosID }
    public var eosID: Int32? { configuration.eosID }
    public var addBOS: Bool { configuration.addBOS }

    public func id(forToken token: String) -> Int32? { ids[token] }
    public func isSpecial(_ id: Int32) -> Bool { addedIDs[id]?.special ?? false }
    public func token(_ id: Int32) -> String? {
        id >= 0 && Int(id) < configuration.tokens.count ? configuration.tokens[Int(id)] : nil
    }

    /// The ids of `text` (no BOS added). With `parseSpecialTokens` false, special tokens in the text are
    /// tokenized as plain text (HF `encode_special_tokens`).
    public func encode(_ text: String, parseSpecialTokens: Bool = true) -> [Int32] {
        var out: [Int32] = []
        // Raw-text added tokens first, then normalized-text ones in what is left, as HF does.
        for piece in split(Array(text.unicodeScalars), normalized: false, parseSpecialTokens: parseSpecialTokens) {
            switch piece {
            case .token(let id): out.append(id)
            case .text(var scalars):
                if configuration.normalizeNFC { scalars = Self.nfc(scalars) }
                for inner in split(scalars, normalized: true, parseSpecialTokens: parseSpecialTokens) {
                    switch inner {
                    case .token(let id): out.append(id)
                    case .text(let rest): encodeText(rest, into: &out)
                    }
                }
            }
        }
        return out
    }

    enum Piece {
        case token(Int32)
        case text([Unicode.Scalar])
    }

    /// Splits out the added tokens of one kind: at each position the longest token that starts there
    /// (leftmost-longest); a match that may not be taken (a special token when not parsing them, a
    /// single-word token inside a word) stays text, and matching resumes after it.
    func split(_ scalars: [Unicode.Scalar], normalized: Bool, parseSpecialTokens: Bool) -> [Piece] {
        var pieces: [Piece] = []
        var textStart = 0, i = 0
        while i < scalars.count {
            guard let match = addedByFirst[scalars[i]]?.first(where: { $0.normalized == normalized && Self.matches($0.content, scalars, at: i) }) else {
                i += 1
                continue
            }
            var end = i + match.content.unicodeScalars.count
            let usable = (parseSpecialTokens || !match.special)
                && (!match.singleWord || (!Self.isWordCharacter(scalars, i - 1) && !Self.isWordCharacter(scalars, end)))
            guard usable else {
                i = end
                continue
            }
            var start = i
            if match.lstrip { while start > textStart, scalars[start - 1].properties.isWhitespace { start -= 1 } }
            if match.rstrip { while end < scalars.count, scalars[end].properties.isWhitespace { end += 1 } }
            if textStart < start { pieces.append(.text(Array(scalars[textStart..<start]))) }
            pieces.append(.token(match.id))
            i = end
            textStart = end
        }
        if textStart < scalars.count { pieces.append(.text(Array(scalars[textStart...]))) }
        return pieces
    }

    private static func isWordCharacter(_ scalars: [Unicode.Scalar], _ i: Int) -> Bool {
        guard i >= 0, i < scalars.count else { return false }
        // Regex `\w`, as HF checks it: letters, marks, decimal digits, connector punctuation, joiners.
        let p = scalars[i].properties
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return p.isAlphabetic || p.isJoinControl
        }
    }

    private static func nfc(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var string = String.UnicodeScalarView()
        string.append(contentsOf: scalars)
        return Array(String(string).precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    private static func matches(_ content: String, _ scalars: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i
        for c in content.unicodeScalars {
            guard j < scalars.count, scalars[j] == c else { return false }
            j += 1
        }
        return true
    }

    private func encodeText(_ text: [Unicode.Scalar], into out: inout [Int32]) {
        guard !text.isEmpty else { return }
        let scalars = configuration.addPrefixSpace && text.first != " " ? [" "] + text : text
        var stretches: [ArraySlice<Unicode.Scalar>] = []
        if configuration.splitDigits {
            var s = 0
            for (k, c) in scalars.enumerated() where c.isNumber {
                if s < k { stretches.append(scalars[s..<k]) }
                stretches.append(scalars[k...k])
                s = k + 1
            }
            if s < scalars.count { stretches.append(scalars[s...]) }
        } else {
            stretches = [scalars[...]]
        }
        for stretch in stretches {
            let piece = Array(stretch)
            for range in configuration.pattern.split(piece) {
                var word = String.UnicodeScalarView()
                var bytes: [UInt8] = []
                for scalar in piece[range] { UTF8.encode(scalar) { bytes.append($0) } }
                for b in bytes { word.append(ByteLevel.characters[Int(b)]) }
                out += encodeWord(String(word), bytes: bytes)
            }
        }
    }

    /// The ids of one pre-tokenized word (spelled in byte-level characters).
    private func encodeWord(_ word: String, bytes: [UInt8]) -> [Int32] {
        if configuration.ignoreMerges, let id = ids[word] { return [id] }
        if let cached = cache.withLock({ $0[word] }) { return cached }
        let result = BytePairMerge.merge(bytes.map { byteIDs[Int($0)] }.filter { $0 >= 0 }, merges: merges)
        cache.withLock { cache in
            if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
            cache[word] = result
        }
        return result
    }

    /// The bytes `id` stands for in decoded text (none for a special token). Added tokens go through the
    /// byte-level decoder like any other, as in HF: a token with a character outside the byte map is
    /// its UTF-8 as written.
    public func tokenBytes(_ id: Int32) -> [UInt8] {
        if addedIDs[id]?.special == true { return [] }
        return spelledBytes(id)
    }

    private func spelledBytes(_ id: Int32) -> [UInt8] {
        guard let token = addedIDs[id]?.content ?? token(id) else { return [] }
        return ByteLevel.decode(token) ?? Array(token.utf8)
    }

    /// The text of `ids`; special tokens appear as their text unless skipped.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids where !(skipSpecialTokens && isSpecial(id)) { bytes += spelledBytes(id) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
