/// A W3C trace context `traceparent` header: `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`.
public struct TraceParent: Sendable, Hashable {
    public var traceID: String
    public var parentSpanID: String

    public init(traceID: String, parentSpanID: String) {
        self.traceID = traceID
        self.parentSpanID = parentSpanID
    }

    /// Parses a header value; nil when it is not a valid `traceparent` (all-zero ids are invalid).
    public init?(header: String) {
        let parts = header.trimmingCharacters(in: [" ", "\t"]).lowercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts[0...3].allSatisfy({ $0.allSatisfy(\.isHexDigit) }),
              parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" })
        else { return nil }
        traceID = String(parts[1])
        parentSpanID = String(parts[2])
    }
}

private extension String {
    func trimmingCharacters(in set: Set<Character>) -> Substring {
        let start = firstIndex { !set.contains($0) } ?? endIndex
        let end = lastIndex { !set.contains($0) }.map(index(after:)) ?? start
        return self[start..<max(start, end)]
    }
}
