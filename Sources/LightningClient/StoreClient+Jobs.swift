import LightningCore
import LightningWire

extension StoreClient {
    public func createJob(_ spec: JobSpec) async throws -> Job {
        var request = Lightning_V1_CreateJobRequest()
        request.jobID = spec.jobID ?? Identifier.job()
        request.algorithm = spec.algorithm
        request.configJson = spec.config.text
        request.dataset = spec.dataset
        request.totalSteps = UInt32(clamping: spec.totalSteps)
        guard case .createJob(let response) = try await call(.createJob(request)) else { throw wrongKind("create_job") }
        return try response.job.core()
    }

    public func updateJob(jobID: String, _ changes: JobChanges) async throws -> Job {
        var request = Lightning_V1_UpdateJobRequest()
        request.jobID = jobID
        if let status = changes.status { request.status = .init(status) }
        if let step = changes.currentStep { request.currentStep = UInt32(clamping: step) }
        if let version = changes.modelVersion { request.modelVersion = version }
        if let owner = changes.owner { request.owner = owner }
        if let error = changes.error { request.error = error }
        guard case .updateJob(let response) = try await call(.updateJob(request)) else { throw wrongKind("update_job") }
        return try response.job.core()
    }

    public func recordJobMetrics(_ metrics: JobMetrics) async throws {
        var request = Lightning_V1_RecordJobMetricsRequest()
        request.metrics = .init(metrics)
        guard case .recordJobMetrics = try await call(.recordJobMetrics(request)) else { throw wrongKind("record_job_metrics") }
    }

    public func getJob(jobID: String, withMetrics: Bool) async throws -> JobDetail {
        var request = Lightning_V1_GetJobRequest()
        request.jobID = jobID
        request.withMetrics = withMetrics
        guard case .getJob(let response) = try await call(.getJob(request)) else { throw wrongKind("get_job") }
        return JobDetail(
            job: try response.job.core(),
            metrics: try response.metrics.map { metrics throws(LightningError) in try metrics.core(.trusted) }
        )
    }

    public func listJobs(statuses: [JobStatus], limit: Int) async throws -> [Job] {
        var request = Lightning_V1_ListJobsRequest()
        request.statuses = statuses.map(Lightning_V1_JobStatus.init)
        request.limit = UInt32(clamping: limit)
        guard case .listJobs(let response) = try await call(.listJobs(request)) else { throw wrongKind("list_jobs") }
        return try response.jobs.map { job throws(LightningError) in try job.core() }
    }

    public func claimJob(owner: String) async throws -> Job? {
        var request = Lightning_V1_ClaimJobRequest()
        request.owner = owner
        guard case .claimJob(let response) = try await call(.claimJob(request)) else { throw wrongKind("claim_job") }
        return response.hasClaimed ? try response.claimed.core() : nil
    }

    public func statistics() async throws -> StoreStatistics {
        guard case .statistics(let response) = try await call(.statistics(.init())) else { throw wrongKind("statistics") }
        return StoreStatistics(
            rolloutsByStatus: response.rolloutsByStatus.mapValues { Int($0) },
            attemptsByStatus: response.attemptsByStatus.mapValues { Int($0) },
            spans: Int(response.spans), resources: Int(response.resources),
            workersByStatus: response.workersByStatus.mapValues { Int($0) },
            jobsByStatus: response.jobsByStatus.mapValues { Int($0) }
        )
    }

    /// Checks the store answers and speaks this protocol version.
    public func ping() async throws -> (protocolVersion: UInt32, serverVersion: String) {
        guard case .ping(let response) = try await call(.ping(.init())) else { throw wrongKind("ping") }
        return (response.protocolVersion, response.serverVersion)
    }
}
