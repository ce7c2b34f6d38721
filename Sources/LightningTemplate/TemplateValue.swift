import Foundation

/// A value passed into a template: the JSON data model plus Jinja's `undefined`.
///
/// Integers and floats stay distinct (`1` prints as `1`, `1.0` as `1.0`, as in Python), and objects
/// keep their insertion order so `tojson` and `items()` reproduce the request's key order.
public enum TemplateValue: Sendable, Equatable {
    /// Jinja's undefined: renders as empty, is falsy, and fails `is defined`.
    case undefined
    /// Python `None` / JSON `null`.
    case none
    /// A boolean.
    case bool(Bool)
    /// An integer (Python `int`).
    case int(Int)
    /// A floating-point number (Python `float`).
    case double(Double)
    /// A string.
    case string(String)
    /// A list.
    case array([TemplateValue])
    /// A dictionary with insertion order.
    case object(OrderedObject)

    /// Decodes JSON, keeping object key order and the integer/float distinction
    /// (a number with a fraction or exponent is a float, as Python's `json` module decides).
    public init(json: Data) throws {
        var parser = JSONParser(bytes: Array(json))
        self = try parser.parseDocument()
    }

    /// Decodes JSON text; see ``init(json:)-(Data)``.
    public init(jsonString: String) throws {
        try self.init(json: Data(jsonString.utf8))
    }

    /// The value for `key` when this is an object.
    public subscript(key: String) -> TemplateValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
}

extension TemplateValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .none }
}

extension TemplateValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension TemplateValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension TemplateValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension TemplateValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension TemplateValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
}

extension TemplateValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(OrderedObject(elements))
    }
}
