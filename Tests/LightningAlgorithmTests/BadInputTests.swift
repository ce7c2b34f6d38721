import Foundation
import Testing

/// Requests a client got wrong: each gets the OpenAI error shape with a 4xx, and the host keeps serving.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let path: String
        let body: String
        let status: Int
        let code: String
        let param: String?

        var testDescription: String { name }
    }

    static let chat = "/v1/chat/completions"
    static let completions = "/v1/completions"
    static let model = TestHost.modelName
    static let hello = #"[{"role":"user","content":"hi"}]"#
    static let longPrompt = String(repeating: "x", count: TestHost.tinyConfig.context)

    static let cases: [Case] = [
        Case(name: "invalid JSON", path: chat, body: #"{"model": "#, status: 400, code: "invalid_json", param: nil),
        Case(name: "a body that is not an object", path: chat, body: "[1,2]", status: 400, code: "invalid_type", param: nil),
        Case(name: "missing messages", path: chat, body: #"{"model":"\#(model)"}"#, status: 400, code: "missing_required_parameter", param: "messages"),
        Case(name: "missing model", path: completions, body: #"{"prompt":"hi"}"#, status: 400, code: "missing_required_parameter", param: "model"),
        Case(name: "max_tokens of the wrong type", path: chat, body: #"{"model":"\#(model)","messages":\#(hello),"max_tokens":"ten"}"#,
             status: 400, code: "invalid_type", param: "max_tokens"),
        Case(name: "an unknown role", path: chat, body: #"{"model":"\#(model)","messages":[{"role":"robot","content":"x"}]}"#,
             status: 400, code: "invalid_value", param: "messages[0].role"),
        Case(name: "no messages", path: chat, body: #"{"model":"\#(model)","messages":[]}"#, status: 400, code: "invalid_value", param: "messages"),
        Case(name: "an unknown model", path: chat, body: #"{"model":"gpt-9","messages":\#(hello)}"#, status: 404, code: "model_not_found", param: "model"),
        Case(name: "a prompt longer than the context", path: completions, body: #"{"model":"\#(model)","prompt":"\#(longPrompt)"}"#,
             status: 400, code: "context_length_exceeded", param: "prompt"),
        Case(name: "max_tokens 0", path: chat, body: #"{"model":"\#(model)","messages":\#(hello),"max_tokens":0}"#,
             status: 400, code: "invalid_value", param: "max_tokens"),
        Case(name: "absurd max_tokens", path: completions, body: #"{"model":"\#(model)","prompt":"hi","max_tokens":1000000000}"#,
             status: 400, code: "invalid_value", param: "max_tokens"),
        // Foundation's parser refuses numbers beyond Int as malformed JSON.
        Case(name: "max_tokens beyond Int", path: chat, body: #"{"model":"\#(model)","messages":\#(hello),"max_tokens":1e30}"#,
             status: 400, code: "invalid_json", param: nil),
        Case(name: "absurd n", path: chat, body: #"{"model":"\#(model)","messages":\#(hello),"n":100000}"#, status: 400, code: "invalid_value", param: "n"),
        Case(name: "top_logprobs above 20", path: chat, body: #"{"model":"\#(model)","messages":\#(hello),"logprobs":true,"top_logprobs":21}"#,
             status: 400, code: "invalid_value", param: "top_logprobs"),
        Case(name: "top_logprobs without logprobs", path: chat, body: #"{"model":"\#(model)","messages":\#(hello),"top_logprobs":2}"#,
             status: 400, code: "invalid_value", param: "top_logprobs"),
        Case(name: "completion logprobs above 20", path: completions, body: #"{"model":"\#(model)","prompt":"hi","logprobs":50}"#,
             status: 400, code: "invalid_value", param: "logprobs"),
        Case(name: "temperature out of range", path: chat, body: #"{"model":"\#(model)","messages":\#(hello),"temperature":7}"#,
             status: 400, code: "invalid_value", param: "temperature"),
        Case(name: "token ids outside the vocabulary", path: completions, body: #"{"model":"\#(model)","prompt":[1,99999]}"#,
             status: 400, code: "invalid_value", param: "prompt"),
        Case(name: "a batch of prompts", path: completions, body: #"{"model":"\#(model)","prompt":["a","b"]}"#,
             status: 400, code: "unsupported_value", param: "prompt"),
        Case(name: "an unknown endpoint", path: "/v1/embeddings", body: "{}", status: 404, code: "not_found", param: nil),
    ]

    @Test("bad input gets the OpenAI error shape and a 4xx", arguments: cases)
    func badInput(_ example: Case) async throws {
        try await withTestHost { host in
            let answer = try await RawHTTP.post(host.url(example.path), json: example.body)
            #expect(answer.status == example.status, "\(String(decoding: answer.body, as: UTF8.self))")
            let error = answer.error
            #expect(error.keys.sorted() == ["code", "message", "param", "type"])
            #expect(error.string("code") == example.code)
            #expect(error.string("type") == "invalid_request_error")
            #expect(error.string("param") == example.param)
            #expect(!(error.string("message") ?? "").isEmpty)
            // The host still serves.
            let ok = try await RawHTTP.post(host.url(Self.chat), json: #"{"model":"\#(Self.model)","messages":\#(Self.hello),"max_tokens":2}"#)
            #expect(ok.status == 200)
        }
    }

    @Test("a body over the size limit is a 413 in the OpenAI shape")
    func tooLarge() async throws {
        try await withTestHost { host in
            let body = #"{"model":"\#(Self.model)","prompt":"\#(String(repeating: "y", count: 9 << 20))"}"#
            let answer = try await RawHTTP.post(host.url(Self.completions), json: body)
            #expect(answer.status == 413)
            #expect(answer.error.string("code") == "request_too_large")
        }
    }

    @Test("without a key, or with a wrong one, the API answers 401; /healthz stays open")
    func apiKey() async throws {
        try await withTestHost(apiKey: "sk-test") { host in
            let body = #"{"model":"\#(Self.model)","messages":\#(Self.hello),"max_tokens":2}"#
            let missing = try await RawHTTP.post(host.url(Self.chat), json: body)
            #expect(missing.status == 401 && missing.error.string("code") == "invalid_api_key")
            let wrong = try await RawHTTP.post(host.url("/rollout/ro-1/attempt/at-1/v1/chat/completions"), json: body,
                                              headers: ["Authorization": "Bearer sk-nope"])
            #expect(wrong.status == 401)
            let right = try await RawHTTP.post(host.url(Self.chat), json: body, headers: ["authorization": "bearer sk-test"])
            #expect(right.status == 200)
            let health = try await RawHTTP.send(host.url("/healthz"), method: "GET")
            #expect(health.status == 200 && health.json.string("status") == "ok")
        }
    }
}
