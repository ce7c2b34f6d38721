/// An agent the runner can run: it works on one rollout's task, calls the model through the context's
/// OpenAI-compatible endpoint (which records every call), and returns the reward. Agents live with the
/// example tasks; any program can be an agent through the runner's external-agent mode instead.
public protocol Agent: Sendable {
    /// The name the runner knows the agent by (`lightning-runner --agent calc`) and that LLM-call spans
    /// carry as `lightning.agent_name`.
    var name: String { get }

    /// Runs one rollout. Returns the reward, or `nil` when the agent reported it through
    /// `context.tracer.reward(_:)` or has none. Throwing fails the attempt with the error's description.
    func run(_ context: RolloutContext) async throws -> Double?
}

/// Where the model is, for one rollout: an OpenAI-compatible base URL that already names the rollout and
/// attempt (`…/rollout/{rollout_id}/attempt/{attempt_id}/v1`), so calls are recorded against them.
public struct LLMEndpoint: Sendable, Hashable {
    public var baseURL: String
    public var model: String
    public var apiKey: String?
    /// The weights version the resources named when the rollout started.
    public var weightsVersion: Int64?

    public init(baseURL: String, model: String, apiKey: String? = nil, weightsVersion: Int64? = nil) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.weightsVersion = weightsVersion
    }
}

/// Everything an agent gets for one rollout.
public struct RolloutContext: Sendable {
    public let rollout: Rollout
    public let attempt: Attempt
    public let llm: LLMEndpoint
    /// The resources the rollout runs with (model reference, prompt template, …), if any were published.
    public let resources: Resources?
    public let tracer: AgentTracer
    /// The primary reward the store already holds for this attempt, from any source (a reward span the
    /// agent sent itself, for instance); `nil` when there is none.
    public let storedReward: @Sendable () async throws -> Double?

    public init(
        rollout: Rollout, attempt: Attempt, llm: LLMEndpoint, resources: Resources?, tracer: AgentTracer,
        storedReward: @escaping @Sendable () async throws -> Double? = { nil }
    ) {
        self.rollout = rollout
        self.attempt = attempt
        self.llm = llm
        self.resources = resources
        self.tracer = tracer
        self.storedReward = storedReward
    }

    /// The task, as JSON.
    public var task: JSONText { rollout.input }
}
