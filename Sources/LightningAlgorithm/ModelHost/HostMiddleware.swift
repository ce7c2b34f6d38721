import Hummingbird
import Logging
import Metrics
import NIOCore

/// Answers every failure in the OpenAI error shape (router 404s and body-size limits included) and
/// counts requests by endpoint and status.
struct ErrorAndMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HostMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = HostJSON.response(error.body, status: error.status)
        } catch is NIOTooManyBytesError {
            let tooLarge = APIError(.contentTooLarge, code: "request_too_large", "the request body is larger than the host accepts")
            response = HostJSON.response(tooLarge.body, status: tooLarge.status)
        } catch let error as HTTPError {
            response = HostJSON.response(Self.translate(error).body, status: error.status)
        } catch {
            logger.error("request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            let failure = APIError(.internalServerError, code: "server_error", "the model host failed to answer: \(error)")
            response = HostJSON.response(failure.body, status: failure.status)
        }
        let endpoint = context.endpointPath ?? "unmatched"
        metrics.request(endpoint: endpoint, status: response.status.code).increment()
        metrics.latency(endpoint: endpoint).recordInterval(since: start)
        return response
    }

    static func translate(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: APIError(.notFound, code: "not_found", "no such endpoint; the API is under /v1 and /rollout/{rollout_id}/attempt/{attempt_id}/v1")
        case .methodNotAllowed: APIError(.methodNotAllowed, code: "method_not_allowed", "this endpoint does not take that method")
        case .contentTooLarge: APIError(.contentTooLarge, code: "request_too_large", "the request body is too large")
        default: APIError(error.status, code: "http_\(error.status.code)", error.body ?? error.status.reasonPhrase)
        }
    }
}

/// Requires `Authorization: Bearer <key>` (compared in constant time) when an API key is configured.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix,
              Self.equal(Array(header.utf8.dropFirst(prefix.count)), Array(key.utf8))
        else {
            throw APIError(.unauthorized, code: "invalid_api_key",
                           header.isEmpty ? "missing API key: send it as 'Authorization: Bearer <key>'" : "incorrect API key")
        }
        return try await next(request, context)
    }

    /// Equality whose time does not depend on where the first difference is.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}

extension Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
