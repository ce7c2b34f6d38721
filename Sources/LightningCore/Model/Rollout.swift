import Foundation

/// One execution of the agent on one task; retried through attempts.
public struct Rollout: Sendable, Hashable {
    public var rolloutID: String
    /// The training job that created it, if any.
    public var jobID: String?
    /// The task, as JSON.
    public var input: JSONText
    public var mode: RolloutMode
    /// Rollouts with the same key form one GRPO group (the same task sampled several times).
    public var groupKey: String?
    /// The resources version the rollout should run with; `nil` means the latest.
    public var resourcesID: String?
    public var status: RolloutStatus
    public var config: RolloutConfig
    public var metadata: JSONText
    /// The last primary reward reported for the rollout.
    public var finalReward: Double?
    public var createdAt: Date
    public var updatedAt: Date
    public var endedAt: Date?
    /// Attempts made so far.
    public var attemptCount: Int

    public init(
        rolloutID: String, jobID: String? = nil, input: JSONText, mode: RolloutMode = .train,
        groupKey: String? = nil, resourcesID: String? = nil, status: RolloutStatus = .queuing,
        config: RolloutConfig = RolloutConfig(), metadata: JSONText = .emptyObject, finalReward: Double? = nil,
        createdAt: Date = Date(), updatedAt: Date = Date(), endedAt: Date? = nil, attemptCount: Int = 0
    ) {
        self.rolloutID = rolloutID
        self.jobID = jobID
        self.input = input
        self.mode = mode
        self.groupKey = groupKey
        self.resourcesID = resourcesID
        self.status = status
        self.config = config
        self.metadata = metadata
        self.finalReward = finalReward
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.endedAt = endedAt
        self.attemptCount = attemptCount
    }
}

/// What a client submits to create a rollout. The client may pick the id, which makes a retried
/// submission a no-op instead of a duplicate.
public struct RolloutSubmission: Sendable, Hashable {
    public var rolloutID: String?
    public var jobID: String?
    public var input: JSONText
    public var mode: RolloutMode
    public var groupKey: String?
    public var resourcesID: String?
    public var config: RolloutConfig
    public var metadata: JSONText

    public init(
        rolloutID: String? = nil, jobID: String? = nil, input: JSONText, mode: RolloutMode = .train,
        groupKey: String? = nil, resourcesID: String? = nil, config: RolloutConfig = RolloutConfig(),
        metadata: JSONText = .emptyObject
    ) {
        self.rolloutID = rolloutID
        self.jobID = jobID
        self.input = input
        self.mode = mode
        self.groupKey = groupKey
        self.resourcesID = resourcesID
        self.config = config
        self.metadata = metadata
    }
}
