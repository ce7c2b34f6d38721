/// A prompt followed by a response: what a training row is made of.
public protocol PromptResponse {
    var promptTokenIDs: [Int32] { get }
    var responseTokenIDs: [Int32] { get }
}

/// One training row: the prompt (observation) and the response (actions) of one LLM call, or of
/// several calls merged into one trajectory. Per-token arrays run parallel to `responseTokenIDs`.
public struct Transition: Sendable, Hashable, PromptResponse {
    /// One call's part of the row.
    public struct Segment: Sendable, Hashable {
        public var spanID: String
        public var modelVersion: Int?
        /// Where the call's generated tokens sit in `responseTokenIDs`.
        public var range: Range<Int>
        /// The call's credited reward (PPO's terminal reward of the segment).
        public var reward: Double

        public init(spanID: String, modelVersion: Int?, range: Range<Int>, reward: Double) {
            self.spanID = spanID
            self.modelVersion = modelVersion
            self.range = range
            self.reward = reward
        }
    }

    public var rolloutID: String
    public var agentName: String?
    /// Temperature of the recorded logprobs; training recomputes logprobs at it.
    public var temperature: Float
    public var promptTokenIDs: [Int32]
    /// Generated tokens, and in a merged row also the observation tokens between calls.
    public var responseTokenIDs: [Int32]
    /// Recorded (behaviour-policy) logprobs; 0 on observation tokens.
    public var responseLogprobs: [Float]
    /// 1 on generated tokens, 0 on observation tokens (which are context, not actions).
    public var lossMask: [Float]
    public var segments: [Segment]
    /// Per-token advantages; 0 on observation tokens.
    public var advantages: [Float]
    /// PPO: value targets and the values at sampling time, when a value head is trained.
    public var returns: [Float]?
    public var oldValues: [Float]?

    public init(
        rolloutID: String, agentName: String? = nil, temperature: Float = 1, promptTokenIDs: [Int32],
        responseTokenIDs: [Int32], responseLogprobs: [Float], lossMask: [Float]? = nil, segments: [Segment]? = nil,
        advantages: [Float]? = nil, returns: [Float]? = nil, oldValues: [Float]? = nil
    ) {
        let count = responseTokenIDs.count
        self.rolloutID = rolloutID
        self.agentName = agentName
        self.temperature = temperature
        self.promptTokenIDs = promptTokenIDs
        self.responseTokenIDs = responseTokenIDs
        self.responseLogprobs = responseLogprobs
        self.lossMask = lossMask ?? Array(repeating: 1, count: count)
        self.segments = segments ?? [Segment(spanID: "", modelVersion: nil, range: 0..<count, reward: 0)]
        self.advantages = advantages ?? Array(repeating: 0, count: count)
        self.returns = returns
        self.oldValues = oldValues
    }

    /// The span of the row's first call.
    public var spanID: String { segments.first?.spanID ?? "" }
    /// The weights version of the row's first call.
    public var modelVersion: Int? { segments.first?.modelVersion }
    /// Number of tokens the loss trains (mask 1).
    public var trainedTokenCount: Int { lossMask.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// Whether the per-token arrays match the response (rows that do not are refused by the trainer).
    var isConsistent: Bool {
        let n = responseTokenIDs.count
        return responseLogprobs.count == n && lossMask.count == n && advantages.count == n
            && (returns?.count ?? n) == n && (oldValues?.count ?? n) == n
    }
}
