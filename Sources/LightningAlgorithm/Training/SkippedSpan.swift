/// An LLM-call span that yields no transition, and why. Skipping is never an error: one bad span
/// must not stop a training step.
public struct SkippedSpan: Sendable, Hashable {
    public enum Reason: Error, Sendable, Hashable, CustomStringConvertible {
        /// The span's attributes are not a JSON object.
        case unreadableAttributes
        case missingAttribute(String)
        /// Present but of the wrong type or out of range (token ids, logprobs, temperature).
        case invalidAttribute(String)
        /// Response token ids and logprobs differ in count.
        case lengthMismatch(tokens: Int, logprobs: Int)
        /// No prompt token to condition the first response token on.
        case emptyPrompt
        /// Nothing was generated: nothing to train.
        case emptyResponse

        public var description: String {
            switch self {
            case .unreadableAttributes: "the span's attributes are not a JSON object"
            case .missingAttribute(let key): "missing attribute \(key)"
            case .invalidAttribute(let key): "invalid attribute \(key)"
            case .lengthMismatch(let tokens, let logprobs): "\(tokens) response token ids but \(logprobs) logprobs"
            case .emptyPrompt: "empty prompt"
            case .emptyResponse: "empty response"
            }
        }
    }

    public var rolloutID: String
    public var spanID: String
    public var reason: Reason

    public init(rolloutID: String, spanID: String, reason: Reason) {
        self.rolloutID = rolloutID
        self.spanID = spanID
        self.reason = reason
    }
}
