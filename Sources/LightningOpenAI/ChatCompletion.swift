/// The answer of a non-streamed `POST /v1/chat/completions` (`object: chat.completion`).
public struct ChatCompletion: Codable, Sendable, Hashable {
    /// One generated message.
    public struct Choice: Codable, Sendable, Hashable {
        public var index: Int
        public var message: ChatCompletionMessage
        public var logprobs: ChatLogprobs?
        /// `stop`, `length` (or, from other servers, `tool_calls`, `content_filter`).
        public var finishReason: String?
        /// vLLM extension: the generated token ids (with `return_token_ids`).
        public var tokenIDs: [Int]?

        public init(index: Int, message: ChatCompletionMessage, logprobs: ChatLogprobs?, finishReason: String?, tokenIDs: [Int]? = nil) {
            self.index = index
            self.message = message
            self.logprobs = logprobs
            self.finishReason = finishReason
            self.tokenIDs = tokenIDs
        }

        enum CodingKeys: String, CodingKey {
            case index, message, logprobs
            case finishReason = "finish_reason"
            case tokenIDs = "token_ids"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(message, forKey: .message)
            try container.encode(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
            try container.encodeIfPresent(tokenIDs, forKey: .tokenIDs)
        }
    }

    public var id: String
    /// Always `chat.completion`.
    public var object: String
    /// Unix seconds.
    public var created: Int
    public var model: String
    /// Names the weights that produced the answer (`lightning-v<version>` from the model host).
    public var systemFingerprint: String?
    public var choices: [Choice]
    public var usage: CompletionUsage?
    /// vLLM extension: the prompt's token ids (with `return_token_ids`).
    public var promptTokenIDs: [Int]?

    public init(
        id: String, created: Int, model: String, systemFingerprint: String?, choices: [Choice], usage: CompletionUsage?,
        promptTokenIDs: [Int]? = nil
    ) {
        self.id = id
        self.object = "chat.completion"
        self.created = created
        self.model = model
        self.systemFingerprint = systemFingerprint
        self.choices = choices
        self.usage = usage
        self.promptTokenIDs = promptTokenIDs
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
        case systemFingerprint = "system_fingerprint"
        case promptTokenIDs = "prompt_token_ids"
    }
}
