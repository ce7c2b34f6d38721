import LightningModel

/// A validated request of either endpoint, ready for the engine: what both endpoints share from here
/// on (generation, streaming, recording).
struct ServingCall: Sendable {
    enum Kind: String, Sendable {
        case chat
        case textCompletion = "text_completion"
    }

    var kind: Kind
    var model: String
    var generation: GenerationRequest
    /// Whether to return per-token log-probabilities, and how many alternatives.
    var logprobs: Bool
    var topLogprobs: Int
    var returnTokenIDs: Bool
    var stream: Bool
    var includeUsage: Bool
    /// As requested (for the recorded span): nil when the client left the default.
    var requestedTemperature: Double?
    var requestedTopP: Double?
    var requestedMaxTokens: Int?
    var user: String?
    /// The request as received, re-encoded (for the recorded span).
    var requestJSON: String
    /// The served model's tokens and text.
    var text: any ModelText
    /// How tool calls in the reply are written, when the request offers tools (nil: the reply is text).
    var toolSyntax: ToolCallSyntax? = nil
    /// The start of a tool call the prompt already holds (a forced `tool_choice`): the reply continues it.
    var forcedPrefix = ""

    var prompt: [Int32] { generation.prompt }

    var tokenText: TokenText { TokenText(text: text) }
}
