/// Byte-level tokenizer: ids 0–255 are the UTF-8 bytes of the text, then a few special tokens.
///
/// Encoding is lossless (`decode(encode(s)) == s` for every string) and never produces special
/// tokens: the text `"<|user|>"` encodes to its eight bytes. Special tokens only enter a sequence
/// through `ChatTemplate` or explicit ids.
public struct ByteTokenizer: Sendable, Hashable {
    /// The special tokens, after the 256 byte ids.
    public enum Special: Int32, CaseIterable, Sendable {
        /// Start of a document / conversation.
        case beginOfText = 256
        /// Ends one chat message; generation stops on it by default.
        case endOfTurn = 257
        case system = 258
        case user = 259
        case assistant = 260
        case tool = 261
        /// Fills rows of a batch beyond their length.
        case padding = 262

        /// The display name, e.g. `<|user|>` (display only; never parsed from text).
        public var name: String {
            switch self {
            case .beginOfText: "<|bos|>"
            case .endOfTurn: "<|eot|>"
            case .system: "<|system|>"
            case .user: "<|user|>"
            case .assistant: "<|assistant|>"
            case .tool: "<|tool|>"
            case .padding: "<|pad|>"
            }
        }
    }

    /// 256 bytes + 7 special tokens.
    public static let vocabularySize = 263

    public init() {}

    /// The UTF-8 bytes of `text` as token ids.
    public func encode(_ text: String) -> [Int32] {
        text.utf8.map { Int32($0) }
    }

    /// The text of `tokens`: byte tokens are decoded as UTF-8 (invalid sequences become U+FFFD);
    /// special tokens are skipped, or shown by name when `showSpecial` is set.
    public func decode(_ tokens: some Sequence<Int32>, showSpecial: Bool = false) -> String {
        guard showSpecial else { return String(decoding: bytes(of: tokens), as: UTF8.self) }
        var text = ""
        var run: [UInt8] = []
        for token in tokens {
            if let byte = Self.byte(token) {
                run.append(byte)
            } else if let special = Special(rawValue: token) {
                text += String(decoding: run, as: UTF8.self) + special.name
                run.removeAll(keepingCapacity: true)
            }
        }
        return text + String(decoding: run, as: UTF8.self)
    }

    /// The bytes of the byte tokens among `tokens` (special and out-of-range ids are skipped).
    public func bytes(of tokens: some Sequence<Int32>) -> [UInt8] {
        tokens.compactMap(Self.byte)
    }

    /// The byte a token stands for, or nil for special and out-of-range ids.
    @inline(__always)
    public static func byte(_ token: Int32) -> UInt8? {
        token >= 0 && token < 256 ? UInt8(token) : nil
    }

    /// Whether `token` is one of the special tokens.
    public static func isSpecial(_ token: Int32) -> Bool { Special(rawValue: token) != nil }
}
