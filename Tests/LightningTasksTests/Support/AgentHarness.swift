import Foundation
import LightningCore
import LightningOpenAI

@testable import LightningTasks

/// A model that answers with scripted replies, in order, and keeps the messages of every call.
actor ScriptedModel {
    private var replies: [String]
    private(set) var calls: [[ChatCompletionMessage]] = []

    init(_ replies: [String]) {
        self.replies = replies
    }

    func reply(_ messages: [ChatCompletionMessage]) throws -> String {
        calls.append(messages)
        guard !replies.isEmpty else { throw LightningError(.badRequest, "the script has no more replies") }
        return replies.removeFirst()
    }
}

/// The spans an agent records, through a real `AgentTracer`.
actor SpanRecorder {
    private(set) var spans: [Span] = []

    nonisolated var tracer: AgentTracer {
        AgentTracer(rolloutID: "ro-test", attemptID: "at-test") { span in await self.record(span) }
    }

    private func record(_ span: Span) {
        spans.append(span)
    }

    /// The tool spans as (tool name, status, arguments), in order.
    var toolCalls: [(tool: String, status: SpanStatusCode, arguments: String)] {
        spans.compactMap { span in
            guard let object = try? JSONSerialization.jsonObject(with: Data(span.attributes.text.utf8)) as? [String: Any],
                  object["gen_ai.operation.name"] as? String == "execute_tool" else { return nil }
            return (object["gen_ai.tool.name"] as? String ?? "", span.statusCode, object["gen_ai.tool.call.arguments"] as? String ?? "")
        }
    }
}
