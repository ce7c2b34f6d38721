/// Receives every LLM call made under `/rollout/{rollout_id}/attempt/{attempt_id}/v1/…`, after its
/// answer is complete. Implementations must return quickly: the model host awaits `record` on the
/// response path (queue the call, send it elsewhere).
public protocol CallRecorder: Sendable {
    func record(_ call: RecordedCall) async
}
