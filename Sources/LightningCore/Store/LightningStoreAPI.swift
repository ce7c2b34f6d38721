/// The calls of the LightningStore. The PostgreSQL store implements them; the ZeroMQ client implements
/// them too by sending them to a store service, so code that needs a store works with either.
public protocol LightningStoreAPI: Sendable {
    /// Creates rollouts in the queue; a submission whose id already exists returns the existing rollout.
    func enqueueRollouts(_ submissions: [RolloutSubmission]) async throws -> [Rollout]
    /// Claims the oldest queued rollout and creates its attempt, waiting up to `waitSeconds` for one.
    func dequeueRollout(workerID: String, waitSeconds: Double) async throws -> ClaimedRollout?
    /// Creates a rollout and claims it at once.
    func startRollout(_ submission: RolloutSubmission, workerID: String) async throws -> ClaimedRollout
    /// Keeps an attempt and its worker alive; with no attempt, only the worker.
    func heartbeat(workerID: String, attempt: AttemptRef?) async throws -> HeartbeatResult
    /// Moves an attempt to a new status; the rollout follows the lifecycle rules.
    func updateAttempt(_ attempt: AttemptRef, status: AttemptStatus, error: String?) async throws -> ClaimedRollout
    /// Cancels a rollout and/or replaces its metadata.
    func updateRollout(rolloutID: String, cancel: Bool, metadata: JSONText?) async throws -> Rollout
    /// Stores spans idempotently; invalid ones are reported, the rest stored.
    func addSpans(_ spans: [Span]) async throws -> AddSpansResult
    func queryRollouts(_ query: RolloutQuery) async throws -> RolloutPage
    func getRollout(rolloutID: String) async throws -> RolloutDetail
    func querySpans(_ query: SpanQuery) async throws -> [Span]
    /// Waits until the rollouts end or the timeout passes; returns those that ended.
    func waitForRollouts(rolloutIDs: [String], timeoutSeconds: Double) async throws -> [Rollout]
    func addResources(_ entries: [String: JSONText], resourcesID: String?) async throws -> Resources
    func getLatestResources() async throws -> Resources?
    func getResources(resourcesID: String) async throws -> Resources
    func listWorkers() async throws -> [Worker]
    func createJob(_ spec: JobSpec) async throws -> Job
    func updateJob(jobID: String, _ changes: JobChanges) async throws -> Job
    func recordJobMetrics(_ metrics: JobMetrics) async throws
    func getJob(jobID: String, withMetrics: Bool) async throws -> JobDetail
    func listJobs(statuses: [JobStatus], limit: Int) async throws -> [Job]
    /// Hands a pending job to `owner`, or returns the unfinished job `owner` already holds.
    func claimJob(owner: String) async throws -> Job?
    func statistics() async throws -> StoreStatistics
}
