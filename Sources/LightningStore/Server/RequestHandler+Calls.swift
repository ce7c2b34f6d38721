import LightningCore
import LightningWire

extension RequestHandler {
    /// Calls the store for one request and wraps its answer.
    func dispatch(_ call: Lightning_V1_Request.OneOf_Call) async throws -> Lightning_V1_Response.OneOf_Result {
        switch call {
        case .enqueueRollouts(let request):
            var response = Lightning_V1_EnqueueRolloutsResponse()
            let submissions = try request.rollouts.map { submission throws(LightningError) in try submission.core() }
            response.rollouts = try await store.enqueueRollouts(submissions).map(Lightning_V1_Rollout.init)
            return .enqueueRollouts(response)

        case .dequeueRollout(let request):
            var response = Lightning_V1_DequeueRolloutResponse()
            if let claimed = try await store.dequeueRollout(workerID: request.workerID, waitSeconds: request.waitSeconds) {
                response.claimed = Lightning_V1_Claimed(claimed)
            }
            return .dequeueRollout(response)

        case .startRollout(let request):
            var response = Lightning_V1_StartRolloutResponse()
            response.claimed = Lightning_V1_Claimed(try await store.startRollout(try request.rollout.core(), workerID: request.workerID))
            return .startRollout(response)

        case .heartbeat(let request):
            let attempt = request.attemptID.isEmpty
                ? nil : AttemptRef(rolloutID: request.rolloutID, attemptID: request.attemptID, lease: request.lease)
            let result = try await store.heartbeat(workerID: request.workerID, attempt: attempt)
            var response = Lightning_V1_HeartbeatResponse()
            if let status = result.attemptStatus { response.attemptStatus = .init(status) }
            if let status = result.rolloutStatus { response.rolloutStatus = .init(status) }
            return .heartbeat(response)

        case .updateAttempt(let request):
            let updated = try await store.updateAttempt(
                AttemptRef(rolloutID: request.rolloutID, attemptID: request.attemptID, lease: request.lease),
                status: try request.status.core(), error: request.error.isEmpty ? nil : request.error
            )
            var response = Lightning_V1_UpdateAttemptResponse()
            response.rollout = .init(updated.rollout)
            response.attempt = .init(updated.attempt)
            return .updateAttempt(response)

        case .updateRollout(let request):
            let metadata = request.hasMetadataJson ? try JSONText(validating: request.metadataJson, field: "metadata_json") : nil
            var response = Lightning_V1_UpdateRolloutResponse()
            response.rollout = .init(try await store.updateRollout(rolloutID: request.rolloutID, cancel: request.cancel, metadata: metadata))
            return .updateRollout(response)

        case .addSpans(let request):
            let result = try await store.addSpans(request.spans.map(\.core))
            var response = Lightning_V1_AddSpansResponse()
            response.stored = UInt32(result.stored)
            response.duplicates = UInt32(result.duplicates)
            response.rejected = result.rejected.map { rejected in
                var entry = Lightning_V1_RejectedSpan()
                entry.index = UInt32(rejected.index)
                entry.code = rejected.error.code.rawValue
                entry.message = rejected.error.message
                return entry
            }
            return .addSpans(response)

        case .queryRollouts(let request):
            let query = RolloutQuery(
                statuses: try request.statuses.map { status throws(LightningError) in try status.core() },
                jobID: request.jobID.isEmpty ? nil : request.jobID, mode: try request.mode.core(), rolloutIDs: request.rolloutIds,
                groupKey: request.groupKey.isEmpty ? nil : request.groupKey, limit: Int(request.limit), offset: Int(request.offset),
                oldestFirst: request.oldestFirst
            )
            let page = try await store.queryRollouts(query)
            var response = Lightning_V1_QueryRolloutsResponse()
            response.rollouts = page.rollouts.map(Lightning_V1_Rollout.init)
            response.total = UInt64(page.total)
            return .queryRollouts(response)

        case .getRollout(let request):
            let detail = try await store.getRollout(rolloutID: request.rolloutID)
            var response = Lightning_V1_GetRolloutResponse()
            response.rollout = .init(detail.rollout)
            response.attempts = detail.attempts.map(Lightning_V1_Attempt.init)
            return .getRollout(response)

        case .querySpans(let request):
            let attempt: SpanQuery.AttemptFilter = switch request.attemptID {
            case "": .all
            case "latest": .latest
            default: .id(request.attemptID)
            }
            let spans = try await store.querySpans(SpanQuery(
                rolloutID: request.rolloutID, attempt: attempt, name: request.name.isEmpty ? nil : request.name,
                afterSequence: request.afterSequence, limit: Int(request.limit)
            ))
            var response = Lightning_V1_QuerySpansResponse()
            response.spans = spans.map(Lightning_V1_Span.init)
            return .querySpans(response)

        case .waitForRollouts(let request):
            var response = Lightning_V1_WaitForRolloutsResponse()
            response.finished = try await store.waitForRollouts(rolloutIDs: request.rolloutIds, timeoutSeconds: request.timeoutSeconds)
                .map(Lightning_V1_Rollout.init)
            return .waitForRollouts(response)

        case .addResources(let request):
            var entries: [String: JSONText] = [:]
            for (name, text) in request.entriesJson { entries[name] = try JSONText(validating: text, field: "entries_json[\(name)]") }
            var response = Lightning_V1_AddResourcesResponse()
            response.resources = .init(try await store.addResources(entries, resourcesID: request.resourcesID.isEmpty ? nil : request.resourcesID))
            return .addResources(response)

        case .getLatestResources:
            var response = Lightning_V1_GetLatestResourcesResponse()
            if let resources = try await store.getLatestResources() { response.resources = .init(resources) }
            return .getLatestResources(response)

        case .getResources(let request):
            var response = Lightning_V1_GetResourcesResponse()
            response.resources = .init(try await store.getResources(resourcesID: request.resourcesID))
            return .getResources(response)

        case .listWorkers:
            var response = Lightning_V1_ListWorkersResponse()
            response.workers = try await store.listWorkers().map(Lightning_V1_Worker.init)
            return .listWorkers(response)

        default:
            return try await dispatchJobCall(call)
        }
    }

    private func dispatchJobCall(_ call: Lightning_V1_Request.OneOf_Call) async throws -> Lightning_V1_Response.OneOf_Result {
        switch call {
        case .createJob(let request):
            let spec = JobSpec(
                jobID: request.jobID.isEmpty ? nil : request.jobID, algorithm: request.algorithm,
                config: request.configJson.isEmpty ? .emptyObject : try JSONText(validating: request.configJson, field: "config_json"),
                dataset: request.dataset, totalSteps: Int(request.totalSteps)
            )
            var response = Lightning_V1_CreateJobResponse()
            response.job = .init(try await store.createJob(spec))
            return .createJob(response)

        case .updateJob(let request):
            let changes = JobChanges(
                status: request.hasStatus ? try request.status.core() : nil,
                currentStep: request.hasCurrentStep ? Int(request.currentStep) : nil,
                modelVersion: request.hasModelVersion ? request.modelVersion : nil,
                owner: request.hasOwner ? request.owner : nil,
                error: request.hasError ? request.error : nil
            )
            var response = Lightning_V1_UpdateJobResponse()
            response.job = .init(try await store.updateJob(jobID: request.jobID, changes))
            return .updateJob(response)

        case .recordJobMetrics(let request):
            try await store.recordJobMetrics(try request.metrics.core(.validate))
            return .recordJobMetrics(Lightning_V1_RecordJobMetricsResponse())

        case .getJob(let request):
            let detail = try await store.getJob(jobID: request.jobID, withMetrics: request.withMetrics)
            var response = Lightning_V1_GetJobResponse()
            response.job = .init(detail.job)
            response.metrics = detail.metrics.map(Lightning_V1_JobMetrics.init)
            return .getJob(response)

        case .listJobs(let request):
            let statuses = try request.statuses.map { status throws(LightningError) in try status.core() }
            var response = Lightning_V1_ListJobsResponse()
            response.jobs = try await store.listJobs(statuses: statuses, limit: Int(request.limit)).map(Lightning_V1_Job.init)
            return .listJobs(response)

        case .claimJob(let request):
            var response = Lightning_V1_ClaimJobResponse()
            if let job = try await store.claimJob(owner: request.owner) { response.claimed = .init(job) }
            return .claimJob(response)

        case .statistics:
            let statistics = try await store.statistics()
            var response = Lightning_V1_StatisticsResponse()
            response.rolloutsByStatus = statistics.rolloutsByStatus.mapValues(UInt64.init)
            response.attemptsByStatus = statistics.attemptsByStatus.mapValues(UInt64.init)
            response.spans = UInt64(statistics.spans)
            response.resources = UInt64(statistics.resources)
            response.workersByStatus = statistics.workersByStatus.mapValues(UInt64.init)
            response.jobsByStatus = statistics.jobsByStatus.mapValues(UInt64.init)
            return .statistics(response)

        case .ping:
            var response = Lightning_V1_PingResponse()
            response.protocolVersion = WireProtocol.version
            response.serverVersion = StoreVersion.current
            return .ping(response)

        default:
            throw LightningError(.unknownCall, "the call \(Self.callName(call)) is not served here")
        }
    }
}

/// The version of this build of the store, reported by `ping`.
public enum StoreVersion {
    public static let current = "0.1.0"
}
