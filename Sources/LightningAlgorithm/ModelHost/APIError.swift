import Hummingbird
import LightningModel
import LightningOpenAI
import NIOCore

/// An error answered to the client in the OpenAI shape `{"error": {"message","type","param","code"}}`.
/// `code` is stable; the message says what to change.
struct APIError: HTTPResponseError, Sendable {
    let status: HTTPResponse.Status
    let type: String
    let code: String
    let param: String?
    let message: String

    init(_ status: HTTPResponse.Status, code: String, param: String? = nil, _ message: String) {
        self.status = status
        self.code = code
        self.param = param
        self.message = message
        switch status.code {
        case 401: type = "authentication_error"
        case 404: type = "invalid_request_error"
        case 400..<500: type = "invalid_request_error"
        default: type = "server_error"
        }
    }

    var body: OpenAIErrorBody {
        OpenAIErrorBody(.init(message: message, type: type, param: param, code: code))
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        HostJSON.response(body, status: status)
    }

    static func invalid(_ param: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_value", param: param, message)
    }

    /// The engine refused or dropped a request.
    init(_ error: ModelError) {
        switch error.code {
        case .promptTooLong: self.init(.badRequest, code: "context_length_exceeded", param: "messages", error.message)
        case .invalidInput: self.init(.badRequest, code: "invalid_value", error.message)
        case .engineStopped: self.init(.serviceUnavailable, code: "engine_stopped", "the model host is shutting down; retry on another replica")
        default: self.init(.internalServerError, code: error.code.rawValue, error.message)
        }
    }
}
