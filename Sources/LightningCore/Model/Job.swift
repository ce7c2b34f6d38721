import Foundation

/// Where a training job is.
public enum JobStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, running, succeeded, failed, cancelled

    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// A training run: an algorithm, its configuration and a dataset, advanced one step at a time.
public struct Job: Sendable, Hashable {
    public var jobID: String
    /// `grpo`, `ppo`, `sft`, … as understood by the algorithm service.
    public var algorithm: String
    /// The algorithm's hyperparameters, as a JSON object.
    public var config: JSONText
    /// The dataset reference, such as `calc` or a path.
    public var dataset: String
    public var status: JobStatus
    public var currentStep: Int
    public var totalSteps: Int
    public var modelVersion: Int64
    /// The algorithm service that holds the job, when one does.
    public var owner: String?
    public var error: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        jobID: String, algorithm: String, config: JSONText = .emptyObject, dataset: String,
        status: JobStatus = .pending, currentStep: Int = 0, totalSteps: Int = 0, modelVersion: Int64 = 0,
        owner: String? = nil, error: String? = nil, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.jobID = jobID
        self.algorithm = algorithm
        self.config = config
        self.dataset = dataset
        self.status = status
        self.currentStep = currentStep
        self.totalSteps = totalSteps
        self.modelVersion = modelVersion
        self.owner = owner
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The metrics of one training step of a job. Well-known names: `mean_reward`, `success_rate`,
/// `loss`, `kl`, `entropy`, `clip_fraction`, `tokens_per_second`, `staleness`.
public struct JobMetrics: Sendable, Hashable {
    public var jobID: String
    public var step: Int
    public var values: [String: Double]
    public var recordedAt: Date

    public init(jobID: String, step: Int, values: [String: Double], recordedAt: Date = Date()) {
        self.jobID = jobID
        self.step = step
        self.values = values
        self.recordedAt = recordedAt
    }
}
