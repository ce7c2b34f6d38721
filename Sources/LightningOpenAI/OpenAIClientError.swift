/// A failed call of `OpenAIClient`: the server's error (status and OpenAI error body) or a transport
/// failure (`status` nil, code `connection_failed`).
public struct OpenAIClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// HTTP status, nil when no answer arrived.
    public let status: Int?
    /// The server's `error.code`, or `connection_failed`, `invalid_response`, `encoding_failed`, `http_<status>`.
    public let code: String
    public let type: String?
    public let param: String?
    public let message: String

    public init(status: Int?, code: String, type: String? = nil, param: String? = nil, message: String) {
        self.status = status
        self.code = code
        self.type = type
        self.param = param
        self.message = message
    }

    public var description: String {
        "\(status.map { "HTTP \($0) " } ?? "")\(code): \(message)"
    }
}
