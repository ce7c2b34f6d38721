import Foundation
import LightningFormats
import LightningModel
import Testing

/// The real SmolLM2-135M-Instruct (Q4_1 GGUF, installed by `make test`) served by the generation engine
/// gives the numpy reference's greedy tokens and top log-probabilities (`smollm2-reference.json`).
@Suite struct SmolLM2ReferenceTests {
    struct Reference: Decodable {
        struct Prompt: Decodable {
            let name: String
            let tokens: [Int32]
            let greedy: [Int32]
            let topIds: [[Int32]]
            let topLogprobs: [[Double]]
        }

        let prompts: [Prompt]
    }

    /// `LIGHTNING_TEST_MODEL`, else the project cache `make test` installs it into.
    static var modelPath: String {
        ProcessInfo.processInfo.environment["LIGHTNING_TEST_MODEL"]
            ?? FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/agent-lightning-swift/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    @Test("greedy tokens and top-5 log-probabilities equal the reference's")
    func matchesReference() async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/smollm2-reference.json")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let weights = try LlamaWeights.load(gguf: GGUFFile(path: Self.modelPath))
        #expect(weights.config.layers == 30 && weights.config.vocabularySize == 49152 && weights.config.tiedEmbeddings)
        let vocabulary = TokenVocabulary(count: weights.vocabularySize) { _ in [] }
        let engine = try GenerationEngine(weights: weights, vocabulary: vocabulary, version: 0,
                                          configuration: .init(maxSequences: 4, threads: 2, cachePositions: 1024))
        for prompt in reference.prompts {
            let result = try await engine.complete(GenerationRequest(
                prompt: prompt.tokens, maxTokens: prompt.greedy.count, sampling: SamplingParameters(temperature: 0),
                stopTokens: [], topLogprobs: 5))
            let choice = try #require(result.choices.first)
            #expect(choice.tokens == prompt.greedy, "\(prompt.name)")
            for (step, alternatives) in choice.topLogprobs.enumerated() {
                #expect(alternatives.map(\.token) == prompt.topIds[step], "\(prompt.name), step \(step)")
                for (got, want) in zip(alternatives.map(\.logprob), prompt.topLogprobs[step]) {
                    #expect(abs(Double(got) - want) < 1e-2, "\(prompt.name), step \(step): \(got) against \(want)")
                }
            }
        }
        await engine.shutdown()
    }
}
