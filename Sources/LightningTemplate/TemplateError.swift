/// An error raised while compiling or rendering a chat template.
///
/// `code` is stable and machine-readable; `message` says what went wrong in the words Jinja2 would use
/// where there is an equivalent, and `line` names the template line when it is known.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable error categories.
    public enum Code: String, Sendable, Equatable {
        /// The template text could not be tokenized or parsed (Jinja2's `TemplateSyntaxError`).
        case syntax
        /// The template uses a construct this interpreter does not implement.
        case unsupported
        /// The template called `raise_exception(message)`; `message` is the template's own text.
        case raised
        /// An undefined value was used where a value is needed (Jinja2's `UndefinedError`).
        case undefined
        /// An operation was applied to values of the wrong type (Python's `TypeError`/`ValueError`).
        case type
        /// The sandbox refused an operation (Jinja2's `SecurityError`).
        case security
        /// The input JSON could not be decoded.
        case json
    }

    /// The category of the failure.
    public var code: Code
    /// A human-readable description.
    public var message: String
    /// The 1-based template line the failure belongs to, when known.
    public var line: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, line: Int? = nil) {
        self.code = code
        self.message = message
        self.line = line
    }

    public var description: String {
        if let line { return "\(code.rawValue) error on line \(line): \(message)" }
        return "\(code.rawValue) error: \(message)"
    }
}
