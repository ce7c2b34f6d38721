/// Reads the LLM calls of a rollout (one per LLM-call span, in sequence order), keeping those of the
/// trained agents and reporting the spans it cannot use.
public struct TransitionExtractor: Sendable, Hashable {
    /// Agents whose calls are trained; nil trains every call (including calls with no agent name).
    public var agentNames: Set<String>?

    public init(agentNames: Set<String>? = nil) {
        self.agentNames = agentNames
    }

    public func extract(_ trace: RolloutTrace) -> CallExtraction {
        var extraction = CallExtraction()
        for index in trace.callIndices {
            let span = trace.spans[index]
            guard let attributes = trace.attributes[index] else {
                extraction.skipped.append(SkippedSpan(rolloutID: span.rolloutID, spanID: span.spanID, reason: .unreadableAttributes))
                continue
            }
            if let agentNames, !agentNames.contains(attributes[TraceAttributes.agentName]?.stringValue ?? "") {
                extraction.filteredCount += 1
                continue
            }
            do {
                extraction.calls.append(try LLMCall(span: span, attributes: attributes))
            } catch {
                extraction.skipped.append(SkippedSpan(rolloutID: span.rolloutID, spanID: span.spanID, reason: error))
            }
        }
        return extraction
    }
}

/// The trained LLM calls of one rollout and what was left out.
public struct CallExtraction: Sendable, Hashable {
    /// Well-formed calls of the trained agents, in sequence order.
    public var calls: [LLMCall] = []
    /// Calls of the trained agents that cannot be used, with the reason.
    public var skipped: [SkippedSpan] = []
    /// Calls of other agents.
    public var filteredCount = 0

    public init(calls: [LLMCall] = [], skipped: [SkippedSpan] = [], filteredCount: Int = 0) {
        self.calls = calls
        self.skipped = skipped
        self.filteredCount = filteredCount
    }
}
