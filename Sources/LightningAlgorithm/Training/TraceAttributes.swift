/// The span attribute keys and values LightningRL reads. They are the ones the model host writes
/// (`RecordedCall.spans()`), the OpenTelemetry GenAI conventions, and the store's reward spans.
public enum TraceAttributes {
    /// `gen_ai.operation.name`: `chat` and `text_completion` for LLM calls, `execute_tool` for tools.
    public static let operationName = "gen_ai.operation.name"
    public static let requestTemperature = "gen_ai.request.temperature"
    public static let promptTokenIDs = "lightning.prompt_token_ids"
    public static let responseTokenIDs = "lightning.response_token_ids"
    public static let responseLogprobs = "lightning.response_logprobs"
    public static let modelVersion = "lightning.model_version"
    public static let agentName = "lightning.agent_name"

    /// The name of reward spans and their attributes.
    public static let rewardSpanName = "lightning.reward"
    public static let rewardValue = "lightning.reward.value"
    public static let rewardName = "lightning.reward.name"

    /// Operation names of LLM calls (OpenTelemetry GenAI; `generate_content` is what some SDKs emit).
    public static let llmOperations: Set<String> = ["chat", "text_completion", "generate_content"]
    /// Operation name of tool calls.
    public static let toolOperation = "execute_tool"
}
