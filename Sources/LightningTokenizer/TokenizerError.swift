/// A tokenizer that cannot be built from its file: a stable `code` and a message naming the field.
public struct TokenizerError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
