import LightningModel

/// One finished LLM call under a rollout URL: what the model saw and produced, with exact token ids
/// and log-probabilities, the weights version, and where it belongs in the rollout's trace.
public struct RecordedCall: Sendable, Hashable {
    /// `gen_ai.operation.name`.
    public enum Operation: String, Sendable, Hashable {
        case chat
        case textCompletion = "text_completion"
    }

    /// One generated choice (recorded as its own span).
    public struct Choice: Sendable, Hashable {
        public var index: Int
        /// Generated token ids, including a final stop token.
        public var tokenIDs: [Int32]
        /// Log-probability of each token under `log_softmax(logits / temperature)`.
        public var logprobs: [Float]
        public var text: String
        /// `stop` or `length`.
        public var finishReason: String

        public init(index: Int, tokenIDs: [Int32], logprobs: [Float], text: String, finishReason: String) {
            self.index = index
            self.tokenIDs = tokenIDs
            self.logprobs = logprobs
            self.text = text
            self.finishReason = finishReason
        }
    }

    public var rolloutID: String
    public var attemptID: String
    /// From the request's W3C `traceparent`, when it had one.
    public var trace: TraceParent?
    public var operation: Operation
    /// The model the client asked for / the model that answered.
    public var requestModel: String
    public var responseModel: String
    /// The response's `id`.
    public var responseID: String
    /// Sampling parameters as the client sent them (nil: left to the default).
    public var temperature: Double?
    public var topP: Double?
    public var maxTokens: Int?
    public var promptTokenIDs: [Int32]
    public var choices: [Choice]
    /// The weights version that produced every token.
    public var modelVersion: Int
    /// From `X-Lightning-Agent`, else the request's `user`.
    public var agentName: String?
    /// The request body (re-encoded JSON), for debugging.
    public var requestJSON: String
    /// Unix nanoseconds.
    public var startTimeUnixNano: UInt64
    public var endTimeUnixNano: UInt64

    public init(
        rolloutID: String, attemptID: String, trace: TraceParent?, operation: Operation, requestModel: String,
        responseModel: String, responseID: String, temperature: Double?, topP: Double?, maxTokens: Int?,
        promptTokenIDs: [Int32], choices: [Choice], modelVersion: Int, agentName: String?, requestJSON: String,
        startTimeUnixNano: UInt64, endTimeUnixNano: UInt64
    ) {
        self.rolloutID = rolloutID
        self.attemptID = attemptID
        self.trace = trace
        self.operation = operation
        self.requestModel = requestModel
        self.responseModel = responseModel
        self.responseID = responseID
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.promptTokenIDs = promptTokenIDs
        self.choices = choices
        self.modelVersion = modelVersion
        self.agentName = agentName
        self.requestJSON = requestJSON
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
    }
}
