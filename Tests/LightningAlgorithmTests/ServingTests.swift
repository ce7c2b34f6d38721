import Foundation
import LightningAlgorithm
import LightningModel
import LightningOpenAI
import Testing

@Suite struct ServingTests {
    static let hello = [ChatCompletionMessage(role: .user, content: "hi")]

    @Test("a streaming client that disconnects frees its slots and the next request is served")
    func disconnect() async throws {
        // A longer context so that the stream is still running when the client leaves.
        let config = ModelConfig(layers: 2, heads: 2, width: 32, context: 1024)
        try await withTestHost(config: config) { host in
            let out = try await PythonClient.run("disconnect", baseURL: host.baseURL)
            #expect(out.int("read") == 3)
            // Generous: a loaded test run can starve the host for a long time. What shows that the
            // disconnect was noticed is how much was generated: far less than the 1000 tokens asked for.
            try await eventually(timeout: .seconds(120), "the engine drops the abandoned stream") { host.host.engine.statistics.runningSequences == 0 }
            let generated = host.host.engine.statistics.generatedTokens
            #expect(generated < 1000, "the stream ran to its end (\(generated) tokens) instead of stopping when the client left")
            let client = OpenAIClient(baseURL: host.baseURL)
            let reply = try await client.chat(ChatCompletionRequest(model: TestHost.modelName, messages: Self.hello, maxTokens: 4))
            #expect(reply.choices.count == 1 && reply.usage?.completionTokens ?? 0 >= 1)
        }
    }

    @Test("weights swapped between requests: the next response names the new version")
    func weightsSwap() async throws {
        let recorder = FakeRecorder()
        try await withTestHost(recorder: recorder) { host in
            let client = OpenAIClient(baseURL: host.rolloutURL(rollout: "ro-1", attempt: "at-1"))
            let request = ChatCompletionRequest(model: TestHost.modelName, messages: Self.hello, maxTokens: 3)
            let before = try await client.chat(request)
            #expect(before.systemFingerprint == "lightning-v0")
            try host.host.load(weights: try ModelWeights(config: TestHost.tinyConfig, seed: 99), version: 7)
            let after = try await client.chat(request)
            #expect(after.systemFingerprint == "lightning-v7")
            #expect(await recorder.calls.map(\.modelVersion) == [0, 7])
            let health = try await RawHTTP.send(host.url("/healthz"), method: "GET")
            #expect(health.json.int("weights_version") == 7)
        }
    }

    @Test("the Swift client reaches both endpoints and reads errors in the OpenAI shape")
    func swiftClient() async throws {
        try await withTestHost { host in
            let client = OpenAIClient(baseURL: host.baseURL, headers: ["X-Lightning-Agent": "tester"])
            #expect(try await client.models().data.map(\.id) == [TestHost.modelName])
            let completion = try await client.complete(CompletionRequest(model: TestHost.modelName, prompt: .text("1+1="), maxTokens: 3,
                                                                         returnTokenIDs: true))
            #expect(completion.promptTokenIDs == Array("1+1=".utf8).map(Int.init))
            #expect(completion.choices.first?.tokenIDs?.count == completion.usage?.completionTokens)
            do {
                _ = try await client.chat(ChatCompletionRequest(model: "other", messages: Self.hello))
                Issue.record("an unknown model was served")
            } catch let error as OpenAIClientError {
                #expect(error.status == 404 && error.code == "model_not_found" && error.param == "model")
            }
        }
    }

    @Test("requests from many clients at once are all answered")
    func concurrentRequests() async throws {
        try await withTestHost { host in
            let client = OpenAIClient(baseURL: host.baseURL)
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<16 {
                    group.addTask {
                        let reply = try await client.chat(ChatCompletionRequest(model: TestHost.modelName, messages: Self.hello, maxTokens: 4,
                                                                                seed: i))
                        return reply.choices.count
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(counts == Array(repeating: 1, count: 16))
        }
    }
}
