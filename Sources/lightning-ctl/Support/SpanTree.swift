import LightningCore

/// The spans of a rollout as a tree: per attempt, each span under its parent, siblings in start order.
/// A span whose parent is not among the spans (it lives in the agent's own process, or was not sent)
/// is a root.
struct SpanTree {
    struct Line {
        var depth: Int
        var span: Span
    }

    /// The spans in tree order with their depths, attempts in the order their spans were stored.
    static func lines(_ spans: [Span]) -> [Line] {
        var attemptOrder: [String] = []
        var byAttempt: [String: [Span]] = [:]
        for span in spans.sorted(by: { $0.sequence < $1.sequence }) {
            if byAttempt[span.attemptID] == nil { attemptOrder.append(span.attemptID) }
            byAttempt[span.attemptID, default: []].append(span)
        }
        return attemptOrder.flatMap { lines(ofAttempt: byAttempt[$0] ?? []) }
    }

    private static func lines(ofAttempt spans: [Span]) -> [Line] {
        let ids = Set(spans.map(\.spanID))
        var children: [String: [Span]] = [:]
        var roots: [Span] = []
        for span in spans {
            if let parent = span.parentSpanID, parent != span.spanID, ids.contains(parent) {
                children[parent, default: []].append(span)
            } else {
                roots.append(span)
            }
        }
        let order: (Span, Span) -> Bool = { ($0.startTimeUnixNano, $0.sequence) < ($1.startTimeUnixNano, $1.sequence) }
        var lines: [Line] = []
        var visited: Set<String> = []
        func visit(_ span: Span, depth: Int) {
            // A parent cycle in bad data must not loop for ever.
            guard visited.insert(span.spanID).inserted else { return }
            lines.append(Line(depth: depth, span: span))
            for child in (children[span.spanID] ?? []).sorted(by: order) { visit(child, depth: depth + 1) }
        }
        for root in roots.sorted(by: order) { visit(root, depth: 0) }
        // Spans only reachable through a cycle still get shown.
        for span in spans where !visited.contains(span.spanID) { visit(span, depth: 0) }
        return lines
    }

    /// What a person wants to see of a span on one line: the reward, the model's token counts, the tool.
    static func summary(_ span: Span) -> String {
        guard let attributes = try? span.attributes.value() else { return "" }
        var parts: [String] = []
        if let reward = attributes["lightning.reward.value"]?.doubleValue { parts.append("reward=\(Format.number(reward))") }
        if let tool = attributes["gen_ai.tool.name"]?.stringValue { parts.append("tool=\(tool)") }
        if let agent = attributes["lightning.agent_name"]?.stringValue { parts.append("agent=\(agent)") }
        if let input = attributes["gen_ai.usage.input_tokens"]?.intValue, let output = attributes["gen_ai.usage.output_tokens"]?.intValue {
            parts.append("tokens=\(input)+\(output)")
        }
        if let version = attributes["lightning.model_version"]?.intValue { parts.append("model_version=\(version)") }
        return parts.joined(separator: " ")
    }
}
