import Hummingbird

/// Where a call under `/rollout/{rollout_id}/attempt/{attempt_id}/v1/…` is recorded.
struct RolloutTarget: Sendable {
    var rolloutID: String
    var attemptID: String
    var trace: TraceParent?
    var agentName: String?


    init(request: Request, context: BasicRequestContext, user: String?) throws(APIError) {
        guard let rollout = context.parameters.get("rollout_id"), let attempt = context.parameters.get("attempt_id"),
              !rollout.isEmpty, !attempt.isEmpty
        else { throw APIError(.notFound, code: "not_found", "the rollout URL needs a rollout id and an attempt id") }
        rolloutID = rollout
        attemptID = attempt
        trace = Self.header("traceparent", in: request).flatMap { TraceParent(header: $0) }
        agentName = Self.header("x-lightning-agent", in: request).flatMap { $0.isEmpty ? nil : $0 } ?? user
    }

    /// The first value of a header; `name` in lower case (header names are case-insensitive).
    static func header(_ name: String, in request: Request) -> String? {
        request.headers.first { $0.name.canonicalName == name }?.value
    }
}
