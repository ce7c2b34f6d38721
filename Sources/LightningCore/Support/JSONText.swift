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

    /// Encodes a value with sorted keys.
    public init(encoding value: some Encodable) throws(LightningError) {
        do {
            let data = try JSONText.encoder.encode(value)
            self.text = String(decoding: data, as: UTF8.self)
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

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
