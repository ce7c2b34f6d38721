/// Names an attempt and carries its lease, for writes that must come from the attempt's holder.
public struct AttemptRef: Sendable, Hashable {
    public var rolloutID: String
    public var attemptID: String
    public var lease: UInt64

    public init(rolloutID: String, attemptID: String, lease: UInt64) {
        self.rolloutID = rolloutID
        self.attemptID = attemptID
        self.lease = lease
    }

    public init(_ attempt: Attempt) {
        self.init(rolloutID: attempt.rolloutID, attemptID: attempt.attemptID, lease: attempt.lease)
    }
}

public struct HeartbeatResult: Sendable, Hashable {
    /// The attempt's status after the heartbeat, when an attempt was named.
    public var attemptStatus: AttemptStatus?
    public var rolloutStatus: RolloutStatus?

    public init(attemptStatus: AttemptStatus?, rolloutStatus: RolloutStatus?) {
        self.attemptStatus = attemptStatus
        self.rolloutStatus = rolloutStatus
    }
}

/// A span the store did not keep, by its index in the request.
public struct RejectedSpan: Sendable, Hashable {
    public var index: Int
    public var error: LightningError

    public init(index: Int, error: LightningError) {
        self.index = index
        self.error = error
    }
}

public struct AddSpansResult: Sendable, Hashable {
    /// Spans stored by this call.
    public var stored: Int
    /// Spans that were already stored (a resend).
    public var duplicates: Int
    public var rejected: [RejectedSpan]

    public init(stored: Int, duplicates: Int, rejected: [RejectedSpan]) {
        self.stored = stored
        self.duplicates = duplicates
        self.rejected = rejected
    }
}

public struct RolloutQuery: Sendable, Hashable {
    public var statuses: [RolloutStatus]
    public var jobID: String?
    public var mode: RolloutMode?
    public var rolloutIDs: [String]
    public var groupKey: String?
    public var limit: Int
    public var offset: Int
    public var oldestFirst: Bool

    public init(
        statuses: [RolloutStatus] = [], jobID: String? = nil, mode: RolloutMode? = nil, rolloutIDs: [String] = [],
        groupKey: String? = nil, limit: Int = 100, offset: Int = 0, oldestFirst: Bool = false
    ) {
        self.statuses = statuses
        self.jobID = jobID
        self.mode = mode
        self.rolloutIDs = rolloutIDs
        self.groupKey = groupKey
        self.limit = limit
        self.offset = offset
        self.oldestFirst = oldestFirst
    }
}

public struct RolloutPage: Sendable, Hashable {
    public var rollouts: [Rollout]
    /// Rollouts matching the query, beyond this page too.
    public var total: Int

    public init(rollouts: [Rollout], total: Int) {
        self.rollouts = rollouts
        self.total = total
    }
}

public struct RolloutDetail: Sendable, Hashable {
    public var rollout: Rollout
    /// Oldest first.
    public var attempts: [Attempt]

    public init(rollout: Rollout, attempts: [Attempt]) {
        self.rollout = rollout
        self.attempts = attempts
    }
}

public struct SpanQuery: Sendable, Hashable {
    public enum AttemptFilter: Sendable, Hashable {
        case all
        case latest
        case id(String)
    }

    public var rolloutID: String
    public var attempt: AttemptFilter
    public var name: String?
    public var afterSequence: Int64
    public var limit: Int

    public init(rolloutID: String, attempt: AttemptFilter = .all, name: String? = nil, afterSequence: Int64 = 0, limit: Int = 1000) {
        self.rolloutID = rolloutID
        self.attempt = attempt
        self.name = name
        self.afterSequence = afterSequence
        self.limit = limit
    }
}

/// What a client gives to create a training job.
public struct JobSpec: Sendable, Hashable {
    public var jobID: String?
    public var algorithm: String
    public var config: JSONText
    public var dataset: String
    public var totalSteps: Int

    public init(jobID: String? = nil, algorithm: String, config: JSONText = .emptyObject, dataset: String, totalSteps: Int) {
        self.jobID = jobID
        self.algorithm = algorithm
        self.config = config
        self.dataset = dataset
        self.totalSteps = totalSteps
    }
}

/// The fields of a job to change; `nil` leaves a field as it is.
public struct JobChanges: Sendable, Hashable {
    public var status: JobStatus?
    public var currentStep: Int?
    public var modelVersion: Int64?
    public var owner: String?
    public var error: String?

    public init(status: JobStatus? = nil, currentStep: Int? = nil, modelVersion: Int64? = nil, owner: String? = nil, error: String? = nil) {
        self.status = status
        self.currentStep = currentStep
        self.modelVersion = modelVersion
        self.owner = owner
        self.error = error
    }
}

public struct JobDetail: Sendable, Hashable {
    public var job: Job
    /// Step order.
    public var metrics: [JobMetrics]

    public init(job: Job, metrics: [JobMetrics]) {
        self.job = job
        self.metrics = metrics
    }
}

public struct StoreStatistics: Sendable, Hashable {
    public var rolloutsByStatus: [String: Int]
    public var attemptsByStatus: [String: Int]
    public var spans: Int
    public var resources: Int
    public var workersByStatus: [String: Int]
    public var jobsByStatus: [String: Int]

    public init(
        rolloutsByStatus: [String: Int] = [:], attemptsByStatus: [String: Int] = [:], spans: Int = 0, resources: Int = 0,
        workersByStatus: [String: Int] = [:], jobsByStatus: [String: Int] = [:]
    ) {
        self.rolloutsByStatus = rolloutsByStatus
        self.attemptsByStatus = attemptsByStatus
        self.spans = spans
        self.resources = resources
        self.workersByStatus = workersByStatus
        self.jobsByStatus = jobsByStatus
    }
}
