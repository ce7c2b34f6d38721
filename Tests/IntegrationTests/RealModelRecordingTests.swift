import Foundation
import LightningAlgorithm
import LightningCore
import LightningModel
import LightningOpenAI
import LightningTokenizer
import Testing

/// A sampled chat with the real SmolLM2 lands in the store the way training needs it: the prompt ids
/// are those of the model's own template and tokenizer, and the logprobs are the model's.
@Suite struct RealModelRecordingTests {
    @Test("a sampled SmolLM2 chat is recorded with its template's prompt ids and logprobs equal to one full pass")
    func recordsTemplatePromptAndLogprobs() async throws {
        let model = try OpenWeightModel.load(path: try RealModelTests.modelPath)
        try await withTestStore { store in
            _ = try await store.client.enqueueRollouts([submission()])
            let claimed = try #require(try await store.client.dequeueRollout(workerID: "w1", waitSeconds: 0))
            let rolloutID = claimed.rollout.rolloutID, attemptID = claimed.attempt.attemptID
            let engine = try GenerationEngine(weights: model.weights, vocabulary: model.text.vocabulary, version: 2,
                                              configuration: .init(maxSequences: 2, threads: 2, cachePositions: 512))
            let reply = try await withModelHost(store, engine: engine, text: model.text, modelName: model.name) { host in
                let client = OpenAIClient(baseURL: URL(string: "\(host.root)/rollout/\(rolloutID)/attempt/\(attemptID)/v1")!)
                return try await client.chat(ChatCompletionRequest(
                    model: model.name,
                    messages: [ChatCompletionMessage(role: .system, content: "You answer in one word."),
                               ChatCompletionMessage(role: .user, content: "What is the capital of France?")],
                    temperature: 0.9, maxTokens: 12, seed: 7, returnTokenIDs: true))
            }
            let span = try #require(try await store.client.querySpans(SpanQuery(rolloutID: rolloutID)).first)
            let attributes = try span.attributes.value()
            let prompt = try #require(attributes["lightning.prompt_token_ids"]?.arrayValue?.compactMap { $0.intValue })
            let response = try #require(attributes["lightning.response_token_ids"]?.arrayValue?.compactMap { $0.intValue })
            let logprobs = try #require(attributes["lightning.response_logprobs"]?.arrayValue?.compactMap { $0.doubleValue })

            // SmolLM2's ChatML template, written out here rather than rendered, then the model's tokenizer.
            let rendered = "<|im_start|>system\nYou answer in one word.<|im_end|>\n<|im_start|>user\n"
                + "What is the capital of France?<|im_end|>\n<|im_start|>assistant\n"
            #expect(prompt == model.text.tokenizer.encode(rendered).map(Int.init))
            #expect(prompt.first == 1, "<|im_start|> is one special token")
            #expect(prompt == reply.promptTokenIDs && response == reply.choices.first?.tokenIDs)
            #expect(!response.isEmpty && logprobs.count == response.count)
            let text = model.text.tokenizer.decode(response.map(Int32.init))
            #expect(text.hasPrefix(reply.choices.first?.message.content?.text ?? "\u{0}"), "\(text)")

            // One pass over prompt + response: the logprob of each sampled token at temperature 0.9.
            let expected = Self.fullPassLogprobs(model.weights, sequence: (prompt + response).map(Int32.init),
                                                 temperature: 0.9).suffix(response.count)
            // Decoding multiplies the quantized weights with 16-bit quantized inputs, the full pass with
            // float tiles. The seed fixes the sampled tokens (unseeded runs drew tokens up to 4.2e-3 apart);
            // these are 6.1e-4 apart at most.
            for (index, (want, got)) in zip(expected, logprobs).enumerated() {
                #expect(abs(Double(want) - got) < 2e-3, "token \(index): recorded \(got), full pass \(want)")
            }
        }
    }

    /// `log softmax(logits / temperature)` of each next token of `sequence`, from one prefill of it.
    static func fullPassLogprobs(_ weights: LlamaWeights, sequence: [Int32], temperature: Float) -> [Float] {
        let inputs = Array(sequence.dropLast()), vocabulary = weights.vocabularySize
        let runner = weights.makeRunner(RunnerConfiguration(slots: 1, maxRows: inputs.count, threads: 2,
                                                            cachePositions: inputs.count))
        precondition(runner.reserve(slot: 0, positions: inputs.count))
        let rows = inputs.withUnsafeBufferPointer { tokens in
            runner.run(weights: weights, chunks: [DecoderChunk(slot: 0, start: 0, tokens: tokens)], allRows: true)
        }
        return (0..<rows).map { row in
            let logits = (0..<vocabulary).map { runner.logits[row * vocabulary + $0] / temperature }
            let top = logits.max()!
            let total = logits.reduce(0) { $0 + exp($1 - top) }
            return logits[Int(sequence[row + 1])] - top - log(total)
        }
    }
}
