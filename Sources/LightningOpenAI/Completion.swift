/// The answer of `POST /v1/completions`, and (with `stream`) each of its chunks: both have
/// `object: text_completion`.
public struct Completion: Codable, Sendable, Hashable {
    /// One generated text (or, in a chunk, a piece of it).
    public struct Choice: Codable, Sendable, Hashable {
        public var index: Int
        public var text: String
        public var logprobs: CompletionLogprobs?
        /// Set when the choice ended (in a stream: on its last chunk).
        public var finishReason: String?
        /// vLLM extension: the generated token ids (with `return_token_ids`).
        public var tokenIDs: [Int]?
        /// vLLM extension: the prompt's token ids (with `return_token_ids`).
        public var promptTokenIDs: [Int]?

        public init(
            index: Int, text: String, logprobs: CompletionLogprobs?, finishReason: String?, tokenIDs: [Int]? = nil,
            promptTokenIDs: [Int]? = nil
        ) {
            self.index = index
            self.text = text
            self.logprobs = logprobs
            self.finishReason = finishReason
            self.tokenIDs = tokenIDs
            self.promptTokenIDs = promptTokenIDs
        }

        enum CodingKeys: String, CodingKey {
            case index, text, logprobs
            case finishReason = "finish_reason"
            case tokenIDs = "token_ids"
            case promptTokenIDs = "prompt_token_ids"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(text, forKey: .text)
            try container.encode(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
            try container.encodeIfPresent(tokenIDs, forKey: .tokenIDs)
            try container.encodeIfPresent(promptTokenIDs, forKey: .promptTokenIDs)
        }
    }

    public var id: String
    /// Always `text_completion`.
    public var object: String
    public var created: Int
    public var model: String
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
        self.object = "text_completion"
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
