/// One generated token of one choice, as streamed.
public struct GeneratedToken: Sendable, Hashable {
    /// Index of the choice (0..<n).
    public var choice: Int
    public var token: Int32
    /// Log-probability under `log_softmax(logits / temperature)` (temperature 0: `log_softmax(logits)`).
    public var logprob: Float
    /// The `topLogprobs` most likely tokens at this position, most likely first.
    public var topLogprobs: [TokenLogprob]
    /// Text that became final with this token (may be empty while a multi-byte character or a possible
    /// stop string is incomplete).
    public var text: String
}

/// Events of one request's stream, in order: tokens (choices interleaved), one `choiceFinished` per
/// choice, then `completed`.
public enum GenerationEvent: Sendable, Hashable {
    case token(GeneratedToken)
    /// A choice ended; `text` is its remaining final text.
    case choiceFinished(choice: Int, reason: FinishReason, text: String)
    /// All choices ended. `weightsVersion` is the version of the weights that produced every token.
    case completed(usage: GenerationUsage, weightsVersion: Int)
}

/// The collected result of a request.
public struct GenerationResult: Sendable, Hashable {
    /// One generated sequence.
    public struct Choice: Sendable, Hashable {
        public var index: Int
        /// Generated token ids, including a final stop token.
        public var tokens: [Int32]
        public var logprobs: [Float]
        public var topLogprobs: [[TokenLogprob]]
        /// Decoded text, without special tokens and without the stop string.
        public var text: String
        public var finishReason: FinishReason
    }

    public var prompt: [Int32]
    public var choices: [Choice]
    public var usage: GenerationUsage
    public var weightsVersion: Int

    /// Collects a stream of events.
    public init(prompt: [Int32], events: some AsyncSequence<GenerationEvent, any Error>) async throws {
        var choices: [Int: Choice] = [:]
        var usage = GenerationUsage(promptTokens: prompt.count, completionTokens: 0)
        var version = -1
        for try await event in events {
            switch event {
            case .token(let t):
                var c = choices[t.choice] ?? Choice(index: t.choice, tokens: [], logprobs: [], topLogprobs: [],
                                                    text: "", finishReason: .length)
                c.tokens.append(t.token)
                c.logprobs.append(t.logprob)
                c.topLogprobs.append(t.topLogprobs)
                c.text += t.text
                choices[t.choice] = c
            case .choiceFinished(let index, let reason, let text):
                var c = choices[index] ?? Choice(index: index, tokens: [], logprobs: [], topLogprobs: [],
                                                 text: "", finishReason: reason)
                c.text += text
                c.finishReason = reason
                choices[index] = c
            case .completed(let u, let v):
                usage = u
                version = v
            }
        }
        self.prompt = prompt
        self.choices = choices.keys.sorted().compactMap { choices[$0] }
        self.usage = usage
        weightsVersion = version
    }
}
