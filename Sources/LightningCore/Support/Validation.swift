/// Checks for the text fields that arrive from clients, so that bad values fail with a clear message
/// before they reach the database (PostgreSQL refuses NUL characters in text, for instance).
public enum Validation {
    /// An id: 1–128 characters of letters, digits and `-_.:`.
    public static func identifier(_ value: String, field: String) throws(LightningError) {
        guard !value.isEmpty else { throw LightningError(.badRequest, "\(field) must not be empty") }
        guard value.utf8.count <= 128 else { throw LightningError(.badRequest, "\(field) is longer than 128 characters") }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"):
                continue
            default:
                throw LightningError(.badRequest, "\(field) may hold only letters, digits and -_.: (got \(value.debugDescription))")
            }
        }
    }

    /// Free text: no NUL characters, at most `maxBytes` bytes of UTF-8.
    public static func text(_ value: String, field: String, maxBytes: Int = 1 << 20) throws(LightningError) {
        guard value.utf8.count <= maxBytes else { throw LightningError(.badRequest, "\(field) is longer than \(maxBytes) bytes") }
        if value.utf8.contains(0) { throw LightningError(.badRequest, "\(field) contains a NUL character") }
    }

    /// JSON text of the expected kind (an object or an array) that PostgreSQL's `jsonb` accepts.
    public static func json(_ value: JSONText, field: String, opening: UInt8) throws(LightningError) {
        guard value.text.utf8.first == opening else {
            throw LightningError(.badRequest, "\(field) must be a JSON \(opening == UInt8(ascii: "{") ? "object" : "array")")
        }
        if let problem = JSONValidator.problem(in: value.text) {
            throw LightningError(.badRequest, "\(field) is not valid JSON: \(problem)")
        }
    }

    /// Text made storable: NUL characters (which PostgreSQL refuses) become U+FFFD, and the length is
    /// capped at `maxBytes` of UTF-8.
    public static func storable(_ value: String, maxBytes: Int = 16 * 1024) -> String {
        var text = value.contains("\u{0}") ? value.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : value
        if text.utf8.count > maxBytes {
            text = String(decoding: text.utf8.prefix(maxBytes), as: UTF8.self)
        }
        return text
    }

    /// Lowercase hexadecimal of exactly `digits` digits, not all zero (OpenTelemetry trace and span ids).
    public static func hexID(_ value: String, digits: Int, field: String) throws(LightningError) {
        guard value.utf8.count == digits,
            value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else {
            throw LightningError(.badRequest, "\(field) must be \(digits) lowercase hex digits (got \(value.debugDescription))")
        }
        if value.utf8.allSatisfy({ $0 == UInt8(ascii: "0") }) { throw LightningError(.badRequest, "\(field) must not be all zeros") }
    }
}

extension Span {
    /// Checks every field a client controls; the store calls this before a span joins a batch.
    public func validate() throws(LightningError) {
        try Validation.identifier(rolloutID, field: "rollout_id")
        try Validation.identifier(attemptID, field: "attempt_id")
        try Validation.hexID(traceID, digits: 32, field: "trace_id")
        try Validation.hexID(spanID, digits: 16, field: "span_id")
        if let parentSpanID { try Validation.hexID(parentSpanID, digits: 16, field: "parent_span_id") }
        try Validation.text(name, field: "name", maxBytes: 1024)
        try Validation.text(statusMessage, field: "status_message", maxBytes: 64 * 1024)
        if endTimeUnixNano != 0, endTimeUnixNano < startTimeUnixNano {
            throw LightningError(.badRequest, "end_time_unix_nano is before start_time_unix_nano")
        }
        guard startTimeUnixNano <= UInt64(Int64.max), endTimeUnixNano <= UInt64(Int64.max) else {
            throw LightningError(.badRequest, "span times must fit in a signed 64-bit count of nanoseconds")
        }
        try Validation.json(attributes, field: "attributes", opening: UInt8(ascii: "{"))
        try Validation.json(events, field: "events", opening: UInt8(ascii: "["))
        try Validation.json(resource, field: "resource", opening: UInt8(ascii: "{"))
    }
}
