/// The error body of the OpenAI API: `{"error": {"message", "type", "param", "code"}}`.
public struct OpenAIErrorBody: Codable, Sendable, Hashable {
    /// The error itself.
    public struct Detail: Codable, Sendable, Hashable {
        /// What went wrong, for a person to read.
        public var message: String
        /// The error class: `invalid_request_error`, `authentication_error`, `server_error`, ….
        public var type: String
        /// The request field at fault, if any (`max_tokens`, `messages[0].role`).
        public var param: String?
        /// A stable, machine-readable code (`model_not_found`, `context_length_exceeded`, …).
        public var code: String?

        public init(message: String, type: String, param: String? = nil, code: String? = nil) {
            self.message = message
            self.type = type
            self.param = param
            self.code = code
        }

        // `param` and `code` are always present (null when unset), as the official API sends them.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .message)
            try container.encode(type, forKey: .type)
            try container.encode(param, forKey: .param)
            try container.encode(code, forKey: .code)
        }
    }

    public var error: Detail

    public init(_ error: Detail) {
        self.error = error
    }
}
