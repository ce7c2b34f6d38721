/// One completion request for the `GenerationEngine`.
public struct GenerationRequest: Sendable, Hashable {
    /// Prompt token ids (at least one; `ChatTemplate.tokens(for:)` for chats).
    public var prompt: [Int32]
    /// Most tokens to generate per choice (also limited by the context length).
    public var maxTokens: Int
    public var sampling: SamplingParameters
    /// Seed of the sampler; the same request with the same seed (and weights) gives the same tokens,
    /// however many other requests share the engine. Nil draws a random seed.
    public var seed: UInt64?
    /// Stop strings, matched on the decoded text; the matched string is not part of the text.
    public var stop: [String]
    /// Tokens that end a choice (included in its token ids, not in its text).
    public var stopTokens: Set<Int32>
    /// Number of choices sampled from the prompt.
    public var n: Int
    /// Number of most likely alternatives (with log-probabilities) reported per generated token.
    public var topLogprobs: Int

    public init(
        prompt: [Int32], maxTokens: Int = 256, sampling: SamplingParameters = SamplingParameters(),
        seed: UInt64? = nil, stop: [String] = [], stopTokens: Set<Int32> = [ByteTokenizer.Special.endOfTurn.rawValue],
        n: Int = 1, topLogprobs: Int = 0
    ) {
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.seed = seed
        self.stop = stop
        self.stopTokens = stopTokens
        self.n = n
        self.topLogprobs = topLogprobs
    }

    /// Throws when the request cannot run on a model of `config` with `maxChoices` slots.
    func validate(contextLength: Int, vocabularySize: Int, maxChoices: Int) throws(ModelError) {
        guard !prompt.isEmpty else { throw ModelError(.invalidInput, "the prompt is empty") }
        guard prompt.count < contextLength else {
            throw ModelError(.promptTooLong,
                             "the prompt has \(prompt.count) tokens; the context holds \(contextLength) including at least one generated token")
        }
        guard prompt.allSatisfy({ $0 >= 0 && Int($0) < vocabularySize }) else {
            throw ModelError(.invalidInput, "prompt token ids must be in 0..<\(vocabularySize)")
        }
        guard maxTokens >= 1 else { throw ModelError(.invalidInput, "maxTokens must be at least 1") }
        guard (1...maxChoices).contains(n) else {
            throw ModelError(.invalidInput, "n must be in 1...\(maxChoices)")
        }
        guard (0...20).contains(topLogprobs) else { throw ModelError(.invalidInput, "topLogprobs must be in 0...20") }
        let s = sampling
        guard s.temperature >= 0, s.temperature.isFinite, s.topP > 0, s.topP <= 1, s.topK >= 0 else {
            throw ModelError(.invalidInput, "need temperature ≥ 0, 0 < topP ≤ 1, topK ≥ 0")
        }
    }
}

/// Why a choice ended.
public enum FinishReason: String, Sendable, Hashable, Codable {
    /// A stop token or stop string.
    case stop
    /// `maxTokens` or the context length.
    case length
}

/// Token counts of a request.
public struct GenerationUsage: Sendable, Hashable, Codable {
    public var promptTokens: Int
    /// Generated tokens over all choices.
    public var completionTokens: Int
    public var totalTokens: Int { promptTokens + completionTokens }
}
