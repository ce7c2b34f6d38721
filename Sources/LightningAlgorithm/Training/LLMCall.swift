import LightningCore

/// One LLM call read from its span: what the model saw and produced, token by token, and the
/// log-probabilities it sampled with. The unit of credit assignment.
public struct LLMCall: Sendable, Hashable {
    public var rolloutID: String
    public var spanID: String
    public var parentSpanID: String?
    /// The span's store sequence (its order within the rollout).
    public var sequence: Int64
    public var agentName: String?
    /// The weights version that produced the response, when recorded.
    public var modelVersion: Int?
    /// The temperature the logprobs were computed at: the request's, 1 when it set none or sampled
    /// greedily (the host then reports `log_softmax(logits)`).
    public var temperature: Float
    public var promptTokenIDs: [Int32]
    public var responseTokenIDs: [Int32]
    public var responseLogprobs: [Float]

    public init(
        rolloutID: String, spanID: String, parentSpanID: String? = nil, sequence: Int64, agentName: String? = nil,
        modelVersion: Int? = nil, temperature: Float = 1, promptTokenIDs: [Int32], responseTokenIDs: [Int32],
        responseLogprobs: [Float]
    ) {
        self.rolloutID = rolloutID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.sequence = sequence
        self.agentName = agentName
        self.modelVersion = modelVersion
        self.temperature = temperature
        self.promptTokenIDs = promptTokenIDs
        self.responseTokenIDs = responseTokenIDs
        self.responseLogprobs = responseLogprobs
    }
}

extension LLMCall {
    /// Whether a span records an LLM call: an LLM operation name, or the token ids only our host
    /// records. Such spans are candidates for transitions (and the targets of AIR attribution),
    /// well-formed or not.
    static func isCall(_ attributes: JSONValue) -> Bool {
        if let operation = attributes[TraceAttributes.operationName]?.stringValue {
            return TraceAttributes.llmOperations.contains(operation)
        }
        return attributes[TraceAttributes.responseTokenIDs] != nil
    }

    /// For spans whose attributes cannot be read: the GenAI span name is `<operation> <model>`.
    static func isCall(named name: String) -> Bool {
        TraceAttributes.llmOperations.contains { name.hasPrefix("\($0) ") }
    }

    /// Reads a call from an LLM-call span's attributes; throws what makes it unusable for training.
    init(span: Span, attributes: JSONValue) throws(SkippedSpan.Reason) {
        let prompt = try Self.tokenIDs(attributes, TraceAttributes.promptTokenIDs)
        let response = try Self.tokenIDs(attributes, TraceAttributes.responseTokenIDs)
        guard let logprobAttribute = attributes[TraceAttributes.responseLogprobs] else {
            throw .missingAttribute(TraceAttributes.responseLogprobs)
        }
        guard let logprobValues = logprobAttribute.arrayValue else { throw .invalidAttribute(TraceAttributes.responseLogprobs) }
        // A log-probability is finite and at most 0 (a little slack for rounding).
        let logprobs = logprobValues.compactMap { $0.doubleValue.flatMap { $0.isFinite && $0 <= 1e-3 ? Float($0) : nil } }
        guard logprobs.count == logprobValues.count else { throw .invalidAttribute(TraceAttributes.responseLogprobs) }
        guard logprobs.count == response.count else { throw .lengthMismatch(tokens: response.count, logprobs: logprobs.count) }
        guard !prompt.isEmpty else { throw .emptyPrompt }
        guard !response.isEmpty else { throw .emptyResponse }
        var temperature: Float = 1
        if let requested = attributes[TraceAttributes.requestTemperature] {
            guard let value = requested.doubleValue, value.isFinite, value >= 0 else {
                throw .invalidAttribute(TraceAttributes.requestTemperature)
            }
            if value > 0 { temperature = Float(value) }
        }
        self.init(
            rolloutID: span.rolloutID, spanID: span.spanID, parentSpanID: span.parentSpanID, sequence: span.sequence,
            agentName: attributes[TraceAttributes.agentName]?.stringValue,
            modelVersion: attributes[TraceAttributes.modelVersion]?.intValue, temperature: temperature,
            promptTokenIDs: prompt, responseTokenIDs: response, responseLogprobs: logprobs)
    }

    private static func tokenIDs(_ attributes: JSONValue, _ key: String) throws(SkippedSpan.Reason) -> [Int32] {
        guard let attribute = attributes[key] else { throw .missingAttribute(key) }
        guard let values = attribute.arrayValue else { throw .invalidAttribute(key) }
        let ids = values.compactMap { $0.intValue.flatMap { (0...Int(Int32.max)).contains($0) ? Int32($0) : nil } }
        guard ids.count == values.count else { throw .invalidAttribute(key) }
        return ids
    }
}
