import Foundation

/// A JSON document kept as its UTF-8 text. The store moves these between the wire and PostgreSQL
/// without parsing them; the validator guarantees PostgreSQL's `jsonb` will accept the text.
public struct JSONText: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    /// Wraps text that is known to be valid JSON (produced by an encoder, or validated before).
    public init(unchecked text: String) {
        self.text = text
    }

    /// Wraps text after checking it is JSON that PostgreSQL's `jsonb` accepts.
    public init(validating text: String, field: String = "json") throws(LightningError) {
        if let problem = JSONValidator.problem(in: text) {
            throw LightningError(.badRequest, "\(field) is not valid JSON: \(problem)")
        }
        self.text = text
    }

    /// Encodes a value with sorted keys. A NUL character in a string becomes U+FFFD, as in
    /// `JSONWriter`: PostgreSQL cannot store it, and a model's reply or a client's field may hold one.
    public init(encoding value: some Encodable) throws(LightningError) {
        do {
            let data = try JSONText.encoder.encode(value)
            self.text = Self.replacingNUL(in: data)
        } catch {
            throw LightningError(.badRequest, "value cannot be encoded as JSON: \(error)")
        }
    }

    public static let emptyObject = JSONText(unchecked: "{}")
    public static let emptyArray = JSONText(unchecked: "[]")
    public static let null = JSONText(unchecked: "null")

    public var description: String { text }

    /// Decodes the document into a `Decodable` type.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws(LightningError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw LightningError(.badRequest, "JSON does not match \(T.self): \(error)")
        }
    }

    /// The document as a `JSONValue` tree.
    public func value() throws(LightningError) -> JSONValue {
        try decode(JSONValue.self)
    }

    /// Rewrites each `\u0000` escape of encoder output as `\ufffd`. Every backslash an encoder writes
    /// starts an escape, so stepping over escapes two bytes at a time never misreads an escaped backslash.
    static func replacingNUL(in data: Data) -> String {
        let backslash = UInt8(ascii: "\\"), zero = UInt8(ascii: "0")
        guard data.contains(backslash) else { return String(decoding: data, as: UTF8.self) }
        let bytes = [UInt8](data)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == backslash, index + 1 < bytes.count else {
                output.append(byte)
                index += 1
                continue
            }
            if bytes[index + 1] == UInt8(ascii: "u"), index + 5 < bytes.count, bytes[index + 2...index + 5].allSatisfy({ $0 == zero }) {
                output += Array("\\ufffd".utf8)
                index += 6
            } else {
                output += bytes[index...index + 1]
                index += 2
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
