/// What the store announces on its event socket, and what waiters inside the store listen to.
public enum StoreEvent: Sendable, Hashable {
    /// A rollout changed status.
    case rollout(RolloutChange)
    /// New resources were published.
    case resources(resourcesID: String, version: Int64)
    /// A job changed status or step.
    case job(jobID: String, status: JobStatus, currentStep: Int)

    /// The topic the event is published under; subscribers filter by prefix.
    public var topic: String {
        switch self {
        case .rollout: "rollout"
        case .resources: "resources"
        case .job: "job"
        }
    }
}

public struct RolloutChange: Sendable, Hashable {
    public var rolloutID: String
    public var jobID: String?
    public var status: RolloutStatus
    public var finalReward: Double?
    public var mode: RolloutMode

    public init(rolloutID: String, jobID: String?, status: RolloutStatus, finalReward: Double?, mode: RolloutMode) {
        self.rolloutID = rolloutID
        self.jobID = jobID
        self.status = status
        self.finalReward = finalReward
        self.mode = mode
    }
}
