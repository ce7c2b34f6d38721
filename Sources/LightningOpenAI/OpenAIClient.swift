import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small client of an OpenAI-compatible server (non-streamed calls), for the built-in agents.
///
///     let client = OpenAIClient(baseURL: URL(string: "http://127.0.0.1:8000/v1")!, apiKey: key)
///     let reply = try await client.chat(ChatCompletionRequest(model: "lightning-s", messages: [...]))
///
/// `baseURL` ends in `/v1` (as `OPENAI_BASE_URL` does), or in a rollout's
/// `/rollout/{rollout_id}/attempt/{attempt_id}/v1` so that the model host records the calls.
public struct OpenAIClient: Sendable {
    public let baseURL: URL
    /// Sent as `Authorization: Bearer …` when set.
    public let apiKey: String?
    /// Extra headers of every request (for example `X-Lightning-Agent` or `traceparent`).
    public var headers: [String: String]
    /// Seconds before a request fails.
    public var timeout: TimeInterval
    private let session: URLSession

    public init(baseURL: URL, apiKey: String? = nil, headers: [String: String] = [:], timeout: TimeInterval = 300, session: URLSession = .shared) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.headers = headers
        self.timeout = timeout
        self.session = session
    }

    /// `POST chat/completions` (the request is sent unstreamed whatever its `stream` says).
    public func chat(_ request: ChatCompletionRequest) async throws(OpenAIClientError) -> ChatCompletion {
        var request = request
        request.stream = nil
        request.streamOptions = nil
        return try await send("chat/completions", body: request)
    }

    /// `POST completions` (unstreamed).
    public func complete(_ request: CompletionRequest) async throws(OpenAIClientError) -> Completion {
        var request = request
        request.stream = nil
        request.streamOptions = nil
        return try await send("completions", body: request)
    }

    /// `GET models`.
    public func models() async throws(OpenAIClientError) -> ModelList {
        try await send("models", body: Optional<String>.none)
    }

    private func send<Body: Encodable, Answer: Decodable>(_ path: String, body: Body?) async throws(OpenAIClientError) -> Answer {
        var request = URLRequest(url: baseURL.appendingPathComponent(path), timeoutInterval: timeout)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            do {
                request.httpBody = try JSONEncoder().encode(body)
            } catch {
                throw OpenAIClientError(status: nil, code: "encoding_failed", message: "the request cannot be encoded: \(error)")
            }
        }
        let (data, status) = try await perform(request)
        guard (200..<300).contains(status) else {
            let detail = try? JSONDecoder().decode(OpenAIErrorBody.self, from: data).error
            throw OpenAIClientError(
                status: status, code: detail?.code ?? "http_\(status)", type: detail?.type, param: detail?.param,
                message: detail?.message ?? String(decoding: data.prefix(500), as: UTF8.self))
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw OpenAIClientError(status: status, code: "invalid_response", message: "the server's answer is not a \(Answer.self): \(error)")
        }
    }

    private func perform(_ request: URLRequest) async throws(OpenAIClientError) -> (Data, Int) {
        let result: Result<(Data, Int), OpenAIClientError> = await withCheckedContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(returning: .failure(OpenAIClientError(
                        status: nil, code: "connection_failed", message: "\(request.url?.absoluteString ?? "?"): \(error.localizedDescription)")))
                } else {
                    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                    continuation.resume(returning: .success((data ?? Data(), status)))
                }
            }.resume()
        }
        return try result.get()
    }
}
