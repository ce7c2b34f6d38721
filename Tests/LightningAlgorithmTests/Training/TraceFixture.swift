import LightningAlgorithm
import LightningCore

/// Builds the spans of a test rollout, as the model host and an instrumented agent would record them.
enum TraceFixture {
    static let rolloutID = "ro-test"

    static func span(_ sequence: Int64, id: String, name: String, parent: String? = nil, status: SpanStatusCode = .ok,
                     attributes: JSONValue) -> Span {
        Span(rolloutID: rolloutID, attemptID: "at-test", sequence: sequence, traceID: String(repeating: "a", count: 32),
             spanID: id, parentSpanID: parent, name: name, statusCode: status, startTimeUnixNano: UInt64(sequence) * 1000,
             endTimeUnixNano: UInt64(sequence) * 1000 + 500, attributes: (try? JSONText(encoding: attributes)) ?? .emptyObject)
    }

    /// An LLM-call span; logprobs default to −0.1·(index + 1).
    static func call(_ sequence: Int64, id: String, prompt: [Int32], response: [Int32], logprobs: [Double]? = nil,
                     agent: String? = "solver", version: Int = 3, temperature: Double? = nil, parent: String? = nil) -> Span {
        var attributes: [String: JSONValue] = [
            "gen_ai.operation.name": "chat",
            "lightning.prompt_token_ids": .array(prompt.map { .number(Double($0)) }),
            "lightning.response_token_ids": .array(response.map { .number(Double($0)) }),
            "lightning.response_logprobs": .array((logprobs ?? response.indices.map { -0.1 * Double($0 + 1) }).map { .number($0) }),
            "lightning.model_version": .number(Double(version)),
        ]
        if let agent { attributes["lightning.agent_name"] = .string(agent) }
        if let temperature { attributes["gen_ai.request.temperature"] = .number(temperature) }
        return span(sequence, id: id, name: "chat lightning-test", parent: parent, attributes: .object(attributes))
    }

    static func tool(_ sequence: Int64, id: String, parent: String? = nil, failed: Bool) -> Span {
        span(sequence, id: id, name: "execute_tool calculator", parent: parent, status: failed ? .error : .ok,
             attributes: ["gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "calculator"])
    }

    static func reward(_ sequence: Int64, id: String, value: Double, name: String? = nil) -> Span {
        var attributes: [String: JSONValue] = ["lightning.reward.value": .number(value)]
        if let name { attributes["lightning.reward.name"] = .string(name) }
        return span(sequence, id: id, name: "lightning.reward", attributes: .object(attributes))
    }
}

/// `|a − b| ≤ tolerance`.
func isClose(_ a: Double, _ b: Double, _ tolerance: Double = 1e-6) -> Bool { abs(a - b) <= tolerance }

func isClose(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { isClose($0, $1, tolerance) }
}

func isClose(_ a: [Float], _ b: [Double], _ tolerance: Double = 1e-5) -> Bool {
    isClose(a.map(Double.init), b, tolerance)
}
