import Foundation
import Testing

/// The API as the official `openai` Python package sees it.
@Suite struct OpenAISDKTests {
    @Test("GET /v1/models lists the served model")
    func models() async throws {
        try await withTestHost { host in
            let out = try await PythonClient.run("models", baseURL: host.baseURL)
            #expect(out["ids"] as? [String] == [TestHost.modelName])
        }
    }

    @Test("a chat completion has every field the SDK reads, and token ids with return_token_ids")
    func chat() async throws {
        try await withTestHost { host in
            let out = try await PythonClient.run("chat", baseURL: host.baseURL)
            #expect(out.string("id")?.hasPrefix("chatcmpl-") == true)
            #expect(out.string("object") == "chat.completion")
            #expect(out.string("model") == TestHost.modelName)
            #expect(out.string("system_fingerprint") == "lightning-v0")
            #expect((out["created"] as? Int ?? 0) > 1_700_000_000)
            let choice = try #require(out.objects("choices").first)
            #expect(choice.int("index") == 0)
            #expect(choice.object("message").string("role") == "assistant")
            #expect(choice.object("message").string("content") != nil)
            #expect(["stop", "length"].contains(choice.string("finish_reason")))
            let usage = out.object("usage")
            let prompt = try #require(out.ints("prompt_token_ids"))
            let generated = try #require(choice.ints("token_ids"))
            #expect(usage.int("prompt_tokens") == prompt.count)
            #expect(usage.int("completion_tokens") == generated.count)
            #expect(usage.int("total_tokens") == prompt.count + generated.count)
            #expect(prompt.first == 256 && prompt.last == 260)  // <|bos|> … <|assistant|>
        }
    }

    @Test("a streamed chat carries the same text as the plain call with the same seed, then usage and [DONE]")
    func chatStream() async throws {
        try await withTestHost { host in
            let out = try await PythonClient.run("chat-stream", baseURL: host.baseURL)
            let plain = try #require(out.object("plain").objects("choices").first)
            let chunks = out.objects("chunks")
            #expect(chunks.allSatisfy { $0.string("object") == "chat.completion.chunk" })
            #expect(Set(chunks.compactMap { $0.string("id") }).count == 1)
            let pieces = chunks.flatMap { $0.objects("choices") }
            #expect(pieces.first?.object("delta").string("role") == "assistant")
            let text = pieces.compactMap { $0.object("delta").string("content") }.joined()
            #expect(text == plain.object("message").string("content"))
            #expect(pieces.last?.string("finish_reason") == plain.string("finish_reason"))
            let ids = pieces.flatMap { $0.ints("token_ids") ?? [] }
            let usage = try #require(chunks.last?.object("usage"))
            #expect(chunks.last?.objects("choices").isEmpty == true)
            #expect(usage.int("completion_tokens") == ids.count)
            #expect(chunks.first?.ints("prompt_token_ids")?.count == usage.int("prompt_tokens"))
        }
    }

    @Test("chat logprobs: one entry per token with top_logprobs alternatives, for every choice")
    func chatLogprobs() async throws {
        try await withTestHost { host in
            let out = try await PythonClient.run("chat-logprobs", baseURL: host.baseURL)
            let choices = out.objects("choices")
            #expect(choices.map { $0.int("index") } == [0, 1])
            var tokens = 0
            for choice in choices {
                let entries = choice.object("logprobs").objects("content")
                #expect(!entries.isEmpty)
                tokens += entries.count
                for entry in entries {
                    let logprob = try #require(entry["logprob"] as? Double)
                    #expect(logprob <= 0)
                    let top = entry.objects("top_logprobs")
                    #expect(top.count == 3)
                    #expect((top.first?["logprob"] as? Double ?? 0) >= logprob - 1e-6)
                }
            }
            #expect(out.object("usage").int("completion_tokens") == tokens)
        }
    }

    @Test("a text completion has the legacy shape and token ids")
    func completion() async throws {
        try await withTestHost { host in
            let out = try await PythonClient.run("completion", baseURL: host.baseURL)
            #expect(out.string("id")?.hasPrefix("cmpl-") == true)
            #expect(out.string("object") == "text_completion")
            let choice = try #require(out.objects("choices").first)
            #expect(choice.string("text") != nil)
            #expect(["stop", "length"].contains(choice.string("finish_reason")))
            #expect(out.ints("prompt_token_ids") == Array("2+3=".utf8).map(Int.init))
            #expect(choice.ints("token_ids")?.count == out.object("usage").int("completion_tokens"))
        }
    }

    @Test("a streamed text completion matches the plain one and ends with usage")
    func completionStream() async throws {
        try await withTestHost { host in
            let out = try await PythonClient.run("completion-stream", baseURL: host.baseURL)
            let plain = try #require(out.object("plain").objects("choices").first)
            let chunks = out.objects("chunks")
            #expect(chunks.allSatisfy { $0.string("object") == "text_completion" })
            let pieces = chunks.flatMap { $0.objects("choices") }
            #expect(pieces.compactMap { $0.string("text") }.joined() == plain.string("text"))
            #expect(pieces.last?.string("finish_reason") == plain.string("finish_reason"))
            #expect(chunks.last?.object("usage").int("completion_tokens") == out.object("plain").object("usage").int("completion_tokens"))
        }
    }

    @Test("completion logprobs: tokens, token_logprobs, top_logprobs and text_offset line up")
    func completionLogprobs() async throws {
        try await withTestHost { host in
            let out = try await PythonClient.run("completion-logprobs", baseURL: host.baseURL)
            let logprobs = try #require(out.objects("choices").first).object("logprobs")
            let tokens = try #require(logprobs["tokens"] as? [String])
            #expect(tokens.count == out.object("usage").int("completion_tokens"))
            #expect((logprobs["token_logprobs"] as? [Double])?.count == tokens.count)
            let top = try #require(logprobs["top_logprobs"] as? [[String: Double]])
            #expect(top.count == tokens.count && top.allSatisfy { (1...2).contains($0.count) })
            let offsets = try #require(logprobs.ints("text_offset"))
            #expect(offsets.count == tokens.count && offsets.first == 0 && offsets == offsets.sorted())
        }
    }

    @Test("a wrong API key is a 401 authentication_error the SDK raises as AuthenticationError")
    func wrongKey() async throws {
        try await withTestHost(apiKey: "sk-right") { host in
            let out = try await PythonClient.run("wrong-key", baseURL: host.baseURL, apiKey: "sk-wrong")
            #expect(out.int("status") == 401)
            #expect(out.string("sdk_code") == "invalid_api_key")
            let error = out.object("body").object("error")
            #expect(error.string("type") == "authentication_error")
            #expect(error.keys.sorted() == ["code", "message", "param", "type"])
            let models = try await PythonClient.run("models", baseURL: host.baseURL, apiKey: "sk-right")
            #expect(models["ids"] as? [String] == [TestHost.modelName])
        }
    }

    @Test("an unknown model is a 404 model_not_found the SDK raises as NotFoundError")
    func unknownModel() async throws {
        try await withTestHost { host in
            let out = try await PythonClient.run("bad-model", baseURL: host.baseURL)
            #expect(out.int("status") == 404)
            #expect(out.string("sdk_code") == "model_not_found")
            #expect(out.string("param") == "model")
        }
    }
}
