/// An error of the model library: a stable `code` and a message a user can act on.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error codes.
    public enum Code: String, Sendable, Hashable {
        case invalidConfig = "invalid_config"
        case invalidInput = "invalid_input"
        case configMismatch = "config_mismatch"
        case noForwardPass = "no_forward_pass"
        case promptTooLong = "prompt_too_long"
        case engineStopped = "engine_stopped"
        /// A model file lacks a tensor, or has one of the wrong shape or type.
        case invalidTensor = "invalid_tensor"
        /// A model file of an architecture or format this library does not run.
        case unsupportedModel = "unsupported_model"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
