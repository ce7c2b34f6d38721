import LightningModel

/// How tokens appear in `logprobs`: a token's text when its bytes are whole UTF-8 characters, its
/// bytes as `bytes:\xNN…` when they are part of a character (`bytes` has their values), a special
/// token by its name (with `bytes` null).
struct TokenText {
    let text: any ModelText

    func display(_ token: Int32) -> String {
        let bytes = text.vocabulary.bytes(of: token)
        return bytes.isEmpty ? text.display(token) : Self.escaped(bytes)
    }

    func bytes(_ token: Int32) -> [Int]? {
        let bytes = text.vocabulary.bytes(of: token)
        return bytes.isEmpty ? nil : bytes.map(Int.init)
    }

    /// Number of text bytes a token adds (0 for a special token).
    func length(_ token: Int32) -> Int { text.vocabulary.bytes(of: token).count }

    /// The bytes as text when they are valid UTF-8, else as `bytes:\xNN…`.
    static func escaped(_ bytes: some Collection<UInt8>) -> String {
        if let string = String(validating: Array(bytes), as: UTF8.self) { return string }
        let digits = Array("0123456789abcdef")
        return "bytes:" + bytes.map { "\\x" + String([digits[Int($0 >> 4)], digits[Int($0 & 15)]]) }.joined()
    }
}
