/// Stable error codes shared by the store, its clients and the wire protocol.
/// The raw values travel on the wire and never change meaning.
public enum ErrorCode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The request is well formed but a field is missing or out of range.
    case badRequest = "bad_request"
    /// The bytes could not be decoded as a request at all.
    case malformedMessage = "malformed_message"
    /// The request names a call this store does not implement.
    case unknownCall = "unknown_call"
    /// The client speaks a protocol version the store does not.
    case protocolVersion = "protocol_version"
    /// The message exceeds the configured size limit.
    case messageTooLarge = "message_too_large"
    /// A rollout, attempt, resources, job or worker id does not exist.
    case notFound = "not_found"
    /// The requested status change is not allowed from the current status.
    case invalidTransition = "invalid_transition"
    /// The attempt lease no longer holds: another attempt or the watchdog took over.
    case staleLease = "stale_lease"
    /// The object already exists with different contents.
    case conflict = "conflict"
    /// A dependency (the database, the store) is unreachable; retrying later may succeed.
    case unavailable = "unavailable"
    /// The call did not finish within its deadline.
    case timeout = "timeout"
    /// The client is not allowed to make this call.
    case unauthorized = "unauthorized"
    /// The server is shutting down or too busy to take the call now.
    case overloaded = "overloaded"
    /// A fault inside the server; the message says what failed.
    case `internal` = "internal"

    /// Errors a client may retry unchanged with a fair chance of success.
    public var isRetryable: Bool {
        switch self {
        case .unavailable, .timeout, .overloaded: true
        default: false
        }
    }
}

/// The one error type that crosses service boundaries: a stable code and a message a person can act on.
public struct LightningError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func notFound(_ kind: String, _ id: String) -> LightningError {
        LightningError(.notFound, "\(kind) \(id) does not exist")
    }
}
