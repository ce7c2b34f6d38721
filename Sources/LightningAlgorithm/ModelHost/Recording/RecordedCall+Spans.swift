import LightningCore

extension RecordedCall {
    /// One client span per choice, named `chat <model>` / `text_completion <model>`, with the
    /// OpenTelemetry GenAI attributes and the `lightning.*` training attributes. Choices of one call
    /// share its trace (the request's `traceparent`, else a new one) and parent.
    public func spans() -> [Span] {
        let traceID = trace?.traceID ?? Identifier.traceID()
        return choices.map { choice in
            Span(
                rolloutID: rolloutID, attemptID: attemptID, traceID: traceID, spanID: Identifier.spanID(),
                parentSpanID: trace?.parentSpanID, name: "\(operation.rawValue) \(responseModel)", kind: .client,
                statusCode: .ok, startTimeUnixNano: startTimeUnixNano, endTimeUnixNano: endTimeUnixNano,
                attributes: attributesJSON(choice))
        }
    }

    private func attributesJSON(_ choice: Choice) -> JSONText {
        let attributes = CallAttributes(
            operation: operation.rawValue, system: "lightning", requestModel: requestModel, temperature: temperature, topP: topP,
            maxTokens: maxTokens, responseID: responseID, responseModel: responseModel, finishReasons: [choice.finishReason],
            inputTokens: promptTokenIDs.count, outputTokens: choice.tokenIDs.count, promptTokenIDs: promptTokenIDs,
            responseTokenIDs: choice.tokenIDs,
            // JSON has no infinities; a sampled token always has a finite log-probability, this is a guard.
            responseLogprobs: choice.logprobs.map { $0.isFinite ? Double($0) : -Double(Float.greatestFiniteMagnitude) },
            modelVersion: modelVersion, agentName: agentName, choiceIndex: choice.index, request: requestJSON,
            responseText: choice.text)
        // Every field is a string, a finite number or an array of them, which always encodes.
        return (try? JSONText(encoding: attributes)) ?? .emptyObject
    }
}

/// The attributes of an LLM-call span, flat dotted keys.
private struct CallAttributes: Encodable {
    var operation: String
    var system: String
    var requestModel: String
    var temperature: Double?
    var topP: Double?
    var maxTokens: Int?
    var responseID: String
    var responseModel: String
    var finishReasons: [String]
    var inputTokens: Int
    var outputTokens: Int
    var promptTokenIDs: [Int32]
    var responseTokenIDs: [Int32]
    var responseLogprobs: [Double]
    var modelVersion: Int
    var agentName: String?
    var choiceIndex: Int
    var request: String
    var responseText: String

    enum CodingKeys: String, CodingKey {
        case operation = "gen_ai.operation.name"
        case system = "gen_ai.system"
        case requestModel = "gen_ai.request.model"
        case temperature = "gen_ai.request.temperature"
        case topP = "gen_ai.request.top_p"
        case maxTokens = "gen_ai.request.max_tokens"
        case responseID = "gen_ai.response.id"
        case responseModel = "gen_ai.response.model"
        case finishReasons = "gen_ai.response.finish_reasons"
        case inputTokens = "gen_ai.usage.input_tokens"
        case outputTokens = "gen_ai.usage.output_tokens"
        case promptTokenIDs = "lightning.prompt_token_ids"
        case responseTokenIDs = "lightning.response_token_ids"
        case responseLogprobs = "lightning.response_logprobs"
        case modelVersion = "lightning.model_version"
        case agentName = "lightning.agent_name"
        case choiceIndex = "lightning.choice_index"
        case request = "lightning.request"
        case responseText = "lightning.response_text"
    }
}
