import Foundation
import LightningAlgorithm
import LightningCore
import LightningModel
import LightningOpenAI
import Testing

/// The model host recording calls in a real store (PostgreSQL over ZeroMQ).
@Suite struct CallRecordingTests {
    @Test("a chat under a rollout URL lands in the store as an LLM span with exact token ids and logprobs, flushed at shutdown")
    func recordedInStore() async throws {
        try await withTestStore { store in
            _ = try await store.client.enqueueRollouts([submission()])
            let claimed = try #require(try await store.client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            let rolloutID = claimed.rollout.rolloutID, attemptID = claimed.attempt.attemptID
            let weights = try ModelWeights(config: ModelConfig(layers: 2, heads: 2, width: 32, context: 64), seed: 5)
            // `withModelHost` stops the host gracefully when the body returns: the host first, then the
            // recorder flushes its queue, so the span is stored before it is read below.
            let reply = try await withModelHost(store, weights: weights, version: 3) { host in
                let client = OpenAIClient(
                    baseURL: URL(string: "\(host.root)/rollout/\(rolloutID)/attempt/\(attemptID)/v1")!,
                    headers: ["X-Lightning-Agent": "calc-agent"])
                return try await client.chat(ChatCompletionRequest(
                    model: "lightning-test", messages: [ChatCompletionMessage(role: .user, content: "What is 6*7?")],
                    temperature: 0.9, maxTokens: 8, returnTokenIDs: true))
            }

            let spans = try await store.client.querySpans(SpanQuery(rolloutID: rolloutID))
            #expect(spans.count == 1)
            let span = try #require(spans.first)
            #expect(span.name == "chat lightning-test" && span.kind == .client && span.attemptID == attemptID)
            let attributes = try span.attributes.value()
            let prompt = try #require(attributes["lightning.prompt_token_ids"]?.arrayValue?.compactMap { $0.intValue })
            let response = try #require(attributes["lightning.response_token_ids"]?.arrayValue?.compactMap { $0.intValue })
            let logprobs = try #require(attributes["lightning.response_logprobs"]?.arrayValue?.compactMap { $0.doubleValue })
            #expect(prompt == reply.promptTokenIDs)
            #expect(response == reply.choices.first?.tokenIDs)
            #expect(attributes["lightning.model_version"]?.intValue == 3)
            #expect(attributes["lightning.agent_name"]?.stringValue == "calc-agent")
            #expect(attributes["gen_ai.response.id"]?.stringValue == reply.id)
            #expect(attributes["gen_ai.usage.output_tokens"]?.intValue == response.count)

            // The stored logprobs are those of the model at temperature 0.9, token for token.
            let model = TrainingModel(weights: weights, threads: 1)
            let sequence = (prompt + response).map(Int32.init)
            let tokens = Array(sequence.dropLast())
            let batch = TokenBatch(tokens: tokens, targets: Array(sequence.dropFirst()), batchSize: 1, sequenceLength: tokens.count)
            let expected = try model.forward(batch, temperature: 0.9).logprobs.suffix(response.count)
            #expect(zip(expected, logprobs).allSatisfy { abs(Double($0) - $1) < 1e-4 })
            #expect(logprobs.count == response.count)
        }
    }
}
