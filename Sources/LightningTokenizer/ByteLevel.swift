/// GPT-2's reversible map from bytes to printable characters: byte-level BPE vocabularies spell every
/// token with these characters (`Ġ` is a space, `Ċ` a line feed).
enum ByteLevel {
    /// The character of each byte.
    static let characters: [Unicode.Scalar] = {
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var scalars = [Int](repeating: 0, count: 256)
        for b in printable { scalars[b] = b }
        var next = 256
        for b in 0..<256 where !printable.contains(b) {
            scalars[b] = next
            next += 1
        }
        printable.removeAll()
        return scalars.map { Unicode.Scalar(UInt32($0))! }
    }()

    /// The byte of each character (nil for characters outside the map).
    static let bytes: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (b, c) in characters.enumerated() { map[c] = UInt8(b) }
        return map
    }()

    /// The bytes a byte-level token string stands for (nil if it has a character outside the map).
    static func decode(_ token: String) -> [UInt8]? {
        var out: [UInt8] = []
        for scalar in token.unicodeScalars {
            guard let b = bytes[scalar] else { return nil }
            out.append(b)
        }
        return out
    }
}
