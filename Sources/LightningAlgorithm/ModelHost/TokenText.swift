import LightningModel

/// How tokens appear in `logprobs`: a byte below 0x80 as its character, a byte of a multi-byte
/// character as `bytes:\xNN` (it is no character on its own; `bytes` has its value), a special token
/// by its name (`<|eot|>`, with `bytes` null).
enum TokenText {
    static func display(_ token: Int32) -> String {
        if let byte = ByteTokenizer.byte(token) {
            return byte < 0x80 ? String(UnicodeScalar(byte)) : "bytes:\\x" + hex(byte)
        }
        return ByteTokenizer.Special(rawValue: token)?.name ?? "<|\(token)|>"
    }

    static func bytes(_ token: Int32) -> [Int]? {
        ByteTokenizer.byte(token).map { [Int($0)] }
    }

    /// Number of text bytes a token adds (1 for a byte, 0 for a special token).
    static func length(_ token: Int32) -> Int {
        ByteTokenizer.byte(token) == nil ? 0 : 1
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
