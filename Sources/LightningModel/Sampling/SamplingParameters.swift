/// How the next token is chosen from the logits.
public struct SamplingParameters: Sendable, Hashable, Codable {
    /// Softmax temperature; 0 means greedy (argmax).
    public var temperature: Float
    /// Nucleus sampling: keep the smallest set of most likely tokens whose probability reaches `topP`.
    public var topP: Float
    /// Keep only the `topK` most likely tokens; 0 keeps all.
    public var topK: Int

    public init(temperature: Float = 1, topP: Float = 1, topK: Int = 0) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
    }
}

/// A token and its log-probability.
public struct TokenLogprob: Sendable, Hashable, Codable {
    public var token: Int32
    public var logprob: Float

    public init(token: Int32, logprob: Float) {
        self.token = token
        self.logprob = logprob
    }
}
