/// The body of `POST /v1/chat/completions`. Fields this model does not use (response_format,
/// penalties, …) are accepted and ignored.
public struct ChatCompletionRequest: Codable, Sendable, Hashable {
    public var model: String
    public var messages: [ChatCompletionMessage]
    public var temperature: Double?
    public var topP: Double?
    /// vLLM extension: keep only the `top_k` most likely tokens (0 or -1: all).
    public var topK: Int?
    public var maxTokens: Int?
    /// The newer name of `max_tokens`; wins when both are set.
    public var maxCompletionTokens: Int?
    public var n: Int?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var stop: StopSequences?
    public var seed: Int?
    public var logprobs: Bool?
    public var topLogprobs: Int?
    /// The end user or agent name (recorded as `lightning.agent_name`).
    public var user: String?
    /// vLLM extension: return `prompt_token_ids` and `choices[].token_ids`.
    public var returnTokenIDs: Bool?
    /// Functions the model may call (rendered by the model's chat template).
    public var tools: [ChatTool]?
    public var toolChoice: ToolChoice?
    public var parallelToolCalls: Bool?

    public init(
        model: String, messages: [ChatCompletionMessage], temperature: Double? = nil, topP: Double? = nil,
        topK: Int? = nil, maxTokens: Int? = nil, maxCompletionTokens: Int? = nil, n: Int? = nil,
        stream: Bool? = nil, streamOptions: StreamOptions? = nil, stop: StopSequences? = nil, seed: Int? = nil,
        logprobs: Bool? = nil, topLogprobs: Int? = nil, user: String? = nil, returnTokenIDs: Bool? = nil,
        tools: [ChatTool]? = nil, toolChoice: ToolChoice? = nil, parallelToolCalls: Bool? = nil
    ) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.maxTokens = maxTokens
        self.maxCompletionTokens = maxCompletionTokens
        self.n = n
        self.stream = stream
        self.streamOptions = streamOptions
        self.stop = stop
        self.seed = seed
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
        self.user = user
        self.returnTokenIDs = returnTokenIDs
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, n, stream, stop, seed, logprobs, user, tools
        case toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls"
        case topP = "top_p"
        case topK = "top_k"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case streamOptions = "stream_options"
        case topLogprobs = "top_logprobs"
        case returnTokenIDs = "return_token_ids"
    }
}
