import Foundation

/// A parsed JSON document, `Sendable` so configuration can be shared across tasks. Numbers without a
/// fraction or exponent that fit in `Int` are `.int`; all others are `.double`.
public indirect enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses a JSON document.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The string, for `.string`.
    public var string: String? { if case .string(let v) = self { v } else { nil } }
    /// The flag, for `.bool`.
    public var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    /// `.int`, or a `.double` with an integral value that fits.
    public var int: Int? {
        switch self {
        case .int(let v): v
        case .double(let v): Int(exactly: v)
        default: nil
        }
    }
    /// `.double` or `.int` as `Double`.
    public var double: Double? {
        switch self {
        case .double(let v): v
        case .int(let v): Double(v)
        default: nil
        }
    }
    /// The elements, for `.array`.
    public var array: [JSONValue]? { if case .array(let v) = self { v } else { nil } }
    /// The members, for `.object`.
    public var object: [String: JSONValue]? { if case .object(let v) = self { v } else { nil } }
    /// Whether this is `.null`.
    public var isNull: Bool { self == .null }

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? { object?[key] }
}
