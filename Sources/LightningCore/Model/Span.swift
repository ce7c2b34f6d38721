/// The OpenTelemetry span kinds.
public enum SpanKind: String, Sendable, Hashable, Codable, CaseIterable {
    case unspecified, `internal`, server, client, producer, consumer
}

/// The OpenTelemetry span status codes.
public enum SpanStatusCode: String, Sendable, Hashable, Codable, CaseIterable {
    case unset, ok, error
}

/// One span of a rollout's trace: an LLM call, a tool call, a reward, or anything the agent emits.
public struct Span: Sendable, Hashable {
    public var rolloutID: String
    public var attemptID: String
    /// Assigned by the store on arrival: increasing within a rollout, unique store-wide. 0 before that.
    public var sequence: Int64
    /// 32 hex digits.
    public var traceID: String
    /// 16 hex digits; unique within an attempt, which makes a resent span a no-op.
    public var spanID: String
    public var parentSpanID: String?
    public var name: String
    public var kind: SpanKind
    public var statusCode: SpanStatusCode
    public var statusMessage: String
    /// Nanoseconds since the Unix epoch.
    public var startTimeUnixNano: UInt64
    public var endTimeUnixNano: UInt64
    /// A JSON object of the span's attributes, flat keys with dots (`gen_ai.request.model`).
    public var attributes: JSONText
    /// A JSON array of the span's events.
    public var events: JSONText
    /// A JSON object of the resource attributes of the process that emitted the span.
    public var resource: JSONText

    public init(
        rolloutID: String, attemptID: String, sequence: Int64 = 0, traceID: String, spanID: String,
        parentSpanID: String? = nil, name: String, kind: SpanKind = .internal, statusCode: SpanStatusCode = .unset,
        statusMessage: String = "", startTimeUnixNano: UInt64, endTimeUnixNano: UInt64,
        attributes: JSONText = .emptyObject, events: JSONText = .emptyArray, resource: JSONText = .emptyObject
    ) {
        self.rolloutID = rolloutID
        self.attemptID = attemptID
        self.sequence = sequence
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.statusCode = statusCode
        self.statusMessage = statusMessage
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
        self.attributes = attributes
        self.events = events
        self.resource = resource
    }
}
