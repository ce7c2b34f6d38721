import Foundation

/// Records what an agent does as spans of its attempt: tool calls (which automatic intermediate rewards
/// read), any other step, and rewards. Spans go to a sink (the runner's buffered uploader), so recording
/// never waits for the store.
public struct AgentTracer: Sendable {
    public typealias Sink = @Sendable (Span) async -> Void

    public let rolloutID: String
    public let attemptID: String
    /// One trace per attempt; the agent's spans are children of `rootSpanID` when one is given.
    public let traceID: String
    public let rootSpanID: String?
    private let sink: Sink

    public init(rolloutID: String, attemptID: String, traceID: String = Identifier.traceID(), rootSpanID: String? = nil, sink: @escaping Sink) {
        self.rolloutID = rolloutID
        self.attemptID = attemptID
        self.traceID = traceID
        self.rootSpanID = rootSpanID
        self.sink = sink
    }

    /// Runs `body` as a span; a thrown error marks the span as failed and is rethrown.
    public func span<T: Sendable>(
        _ name: String, kind: SpanKind = .internal, attributes: [String: JSONValue] = [:], _ body: () async throws -> T
    ) async throws -> T {
        let start = Self.now()
        do {
            let value = try await body()
            await record(name, kind: kind, start: start, attributes: attributes, status: .ok, message: "")
            return value
        } catch {
            await record(name, kind: kind, start: start, attributes: attributes, status: .error, message: "\(error)")
            throw error
        }
    }

    /// Runs a tool call as an `execute_tool` span (OpenTelemetry GenAI conventions). A thrown error marks
    /// the call as failed, which automatic intermediate rewards can penalise.
    public func toolCall<T: Sendable>(_ tool: String, arguments: JSONValue? = nil, _ body: () async throws -> T) async throws -> T {
        var attributes: [String: JSONValue] = ["gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": .string(tool)]
        if let arguments { attributes["gen_ai.tool.call.arguments"] = arguments }
        return try await span("execute_tool \(tool)", kind: .internal, attributes: attributes, body)
    }

    /// Reports a reward; the store keeps the last `primary` reward as the rollout's final reward.
    public func reward(_ value: Double, name: String = "primary", source: String? = nil) async {
        var attributes: [String: JSONValue] = ["lightning.reward.value": .number(value), "lightning.reward.name": .string(name)]
        if let source { attributes["lightning.reward.source"] = .string(source) }
        let now = Self.now()
        await record("lightning.reward", kind: .internal, start: now, end: now, attributes: attributes, status: .ok, message: "")
    }

    /// Records a finished span as it is.
    public func record(
        _ name: String, kind: SpanKind, start: UInt64, end: UInt64? = nil, attributes: [String: JSONValue],
        status: SpanStatusCode, message: String
    ) async {
        let span = Span(
            rolloutID: rolloutID, attemptID: attemptID, traceID: traceID, spanID: Identifier.spanID(), parentSpanID: rootSpanID,
            name: name, kind: kind, statusCode: status, statusMessage: message, startTimeUnixNano: start,
            endTimeUnixNano: end ?? Self.now(), attributes: (try? JSONText(encoding: JSONValue.object(attributes))) ?? .emptyObject
        )
        await sink(span)
    }

    static func now() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000_000))
    }
}
