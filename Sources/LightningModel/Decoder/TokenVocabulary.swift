/// The bytes each token id stands for in generated text, so the engine can build text, match stop
/// strings and stream whole UTF-8 characters for any tokenizer. Special tokens stand for no bytes.
public struct TokenVocabulary: Sendable {
    /// The bytes of every token, back to back; token `t` owns `bytes[offsets[t]..<offsets[t + 1]]`.
    private let bytes: [UInt8]
    private let offsets: [Int32]

    /// A vocabulary of `count` tokens whose bytes `bytesOf` gives.
    public init(count: Int, bytesOf: (Int32) -> [UInt8]) {
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(count + 1)
        for token in 0..<Int32(count) {
            bytes += bytesOf(token)
            offsets.append(Int32(bytes.count))
        }
        self.bytes = bytes
        self.offsets = offsets
    }

    public var count: Int { offsets.count - 1 }

    /// The bytes of `token` (none for a special token or an id outside the vocabulary).
    @inline(__always)
    public func bytes(of token: Int32) -> ArraySlice<UInt8> {
        guard token >= 0, Int(token) < count else { return [] }
        return bytes[Int(offsets[Int(token)])..<Int(offsets[Int(token) + 1])]
    }

    /// The project's byte-level GPT vocabulary: 256 bytes, then special tokens.
    public static let byteLevel = TokenVocabulary(count: ByteTokenizer.vocabularySize) { token in
        ByteTokenizer.byte(token).map { [$0] } ?? []
    }
}
