import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Plain HTTP calls for requests the OpenAI SDKs would refuse to send.
enum RawHTTP {
    struct Answer: Sendable {
        let status: Int
        let body: Data
        let headers: [String: String]

        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }

        /// `error` of an OpenAI error body.
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    }

    static func send(_ url: URL, method: String = "POST", body: Data? = nil, headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                let http = response as? HTTPURLResponse
                var headers: [String: String] = [:]
                for (name, value) in http?.allHeaderFields ?? [:] { headers[String(describing: name).lowercased()] = String(describing: value) }
                continuation.resume(returning: Answer(status: http?.statusCode ?? 0, body: data ?? Data(), headers: headers))
            }.resume()
        }
    }

    static func post(_ url: URL, json: String, headers: [String: String] = [:]) async throws -> Answer {
        try await send(url, body: Data(json.utf8), headers: headers)
    }
}
