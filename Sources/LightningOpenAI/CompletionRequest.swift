/// The body of `POST /v1/completions`.
public struct CompletionRequest: Codable, Sendable, Hashable {
    public var model: String
    public var prompt: CompletionPrompt
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    /// vLLM extension: keep only the `top_k` most likely tokens (0 or -1: all).
    public var topK: Int?
    public var n: Int?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var stop: StopSequences?
    public var seed: Int?
    /// Number of most likely alternatives per token to return (0 returns only the sampled tokens').
    public var logprobs: Int?
    /// Prepend the prompt to the returned text (not supported by the model host).
    public var echo: Bool?
    public var user: String?
    /// vLLM extension: return `prompt_token_ids` and `choices[].token_ids`.
    public var returnTokenIDs: Bool?

    public init(
        model: String, prompt: CompletionPrompt, maxTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil,
        topK: Int? = nil, n: Int? = nil, stream: Bool? = nil, streamOptions: StreamOptions? = nil,
        stop: StopSequences? = nil, seed: Int? = nil, logprobs: Int? = nil, echo: Bool? = nil, user: String? = nil,
        returnTokenIDs: Bool? = nil
    ) {
        self.model = model
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.n = n
        self.stream = stream
        self.streamOptions = streamOptions
        self.stop = stop
        self.seed = seed
        self.logprobs = logprobs
        self.echo = echo
        self.user = user
        self.returnTokenIDs = returnTokenIDs
    }

    enum CodingKeys: String, CodingKey {
        case model, prompt, temperature, n, stream, stop, seed, logprobs, echo, user
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case topK = "top_k"
        case streamOptions = "stream_options"
        case returnTokenIDs = "return_token_ids"
    }
}

/// A completions prompt: text, token ids, or a batch of either.
public enum CompletionPrompt: Codable, Sendable, Hashable {
    case text(String)
    case tokens([Int])
    case texts([String])
    case tokenBatches([[Int]])

    /// Number of prompts in the batch.
    public var count: Int {
        switch self {
        case .text, .tokens: 1
        case .texts(let texts): texts.count
        case .tokenBatches(let batches): batches.count
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let tokens = try? container.decode([Int].self) {
            self = .tokens(tokens)
        } else if let texts = try? container.decode([String].self) {
            self = .texts(texts)
        } else if let batches = try? container.decode([[Int]].self) {
            self = .tokenBatches(batches)
        } else {
            throw DecodingError.typeMismatch(
                CompletionPrompt.self,
                .init(codingPath: decoder.codingPath, debugDescription: "a string, an array of strings or an array of token ids"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .tokens(let tokens): try container.encode(tokens)
        case .texts(let texts): try container.encode(texts)
        case .tokenBatches(let batches): try container.encode(batches)
        }
    }
}
