/// One server-sent event of a streamed chat completion (`object: chat.completion.chunk`).
public struct ChatCompletionChunk: Codable, Sendable, Hashable {
    /// The part of one choice this chunk carries.
    public struct Choice: Codable, Sendable, Hashable {
        public var index: Int
        public var delta: Delta
        public var logprobs: ChatLogprobs?
        /// Set on the last chunk of the choice.
        public var finishReason: String?
        /// vLLM extension: the token ids of this delta (with `return_token_ids`).
        public var tokenIDs: [Int]?

        public init(index: Int, delta: Delta, logprobs: ChatLogprobs? = nil, finishReason: String? = nil, tokenIDs: [Int]? = nil) {
            self.index = index
            self.delta = delta
            self.logprobs = logprobs
            self.finishReason = finishReason
            self.tokenIDs = tokenIDs
        }

        enum CodingKeys: String, CodingKey {
            case index, delta, logprobs
            case finishReason = "finish_reason"
            case tokenIDs = "token_ids"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            try container.encode(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
            try container.encodeIfPresent(tokenIDs, forKey: .tokenIDs)
        }
    }

    /// New message content: the role on the first chunk of a choice, then text or tool calls.
    public struct Delta: Codable, Sendable, Hashable {
        public var role: ChatCompletionRole?
        public var content: String?
        public var toolCalls: [ToolCallDelta]?

        public init(role: ChatCompletionRole? = nil, content: String? = nil, toolCalls: [ToolCallDelta]? = nil) {
            self.role = role
            self.content = content
            self.toolCalls = toolCalls
        }

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }
    }

    /// A part of one tool call: the first delta of a call carries its id, type and name.
    public struct ToolCallDelta: Codable, Sendable, Hashable {
        public struct Function: Codable, Sendable, Hashable {
            public var name: String?
            public var arguments: String?

            public init(name: String? = nil, arguments: String? = nil) {
                self.name = name
                self.arguments = arguments
            }
        }

        public var index: Int
        public var id: String?
        public var type: String?
        public var function: Function?

        public init(index: Int, id: String? = nil, type: String? = nil, function: Function? = nil) {
            self.index = index
            self.id = id
            self.type = type
            self.function = function
        }
    }

    public var id: String
    /// Always `chat.completion.chunk`.
    public var object: String
    public var created: Int
    public var model: String
    public var systemFingerprint: String?
    public var choices: [Choice]
    /// On the last chunk only, with `stream_options.include_usage` (and then `choices` is empty).
    public var usage: CompletionUsage?
    /// vLLM extension: on the first chunk, with `return_token_ids`.
    public var promptTokenIDs: [Int]?

    public init(
        id: String, created: Int, model: String, systemFingerprint: String?, choices: [Choice], usage: CompletionUsage? = nil,
        promptTokenIDs: [Int]? = nil
    ) {
        self.id = id
        self.object = "chat.completion.chunk"
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
