import LightningCore
import LightningWire

extension StoreClient {
    public func enqueueRollouts(_ submissions: [RolloutSubmission]) async throws -> [Rollout] {
        var request = Lightning_V1_EnqueueRolloutsRequest()
        // Ids chosen here make a retried enqueue return the same rollouts instead of duplicating them.
        request.rollouts = submissions.map { submission in
            var submission = submission
            if submission.rolloutID == nil { submission.rolloutID = Identifier.rollout() }
            return Lightning_V1_RolloutSubmission(submission)
        }
        guard case .enqueueRollouts(let response) = try await call(.enqueueRollouts(request)) else { throw wrongKind("enqueue_rollouts") }
        return try response.rollouts.map { rollout throws(LightningError) in try rollout.core() }
    }

    public func dequeueRollout(workerID: String, waitSeconds: Double) async throws -> ClaimedRollout? {
        var request = Lightning_V1_DequeueRolloutRequest()
        request.workerID = workerID
        request.waitSeconds = waitSeconds
        let result = try await call(.dequeueRollout(request), extraTime: .milliseconds(Int64(max(0, min(waitSeconds, 3600)) * 1000)))
        guard case .dequeueRollout(let response) = result else { throw wrongKind("dequeue_rollout") }
        return response.hasClaimed ? try response.claimed.core() : nil
    }

    public func startRollout(_ submission: RolloutSubmission, workerID: String) async throws -> ClaimedRollout {
        var submission = submission
        if submission.rolloutID == nil { submission.rolloutID = Identifier.rollout() }
        var request = Lightning_V1_StartRolloutRequest()
        request.rollout = .init(submission)
        request.workerID = workerID
        guard case .startRollout(let response) = try await call(.startRollout(request)) else { throw wrongKind("start_rollout") }
        return try response.claimed.core()
    }

    public func heartbeat(workerID: String, attempt: AttemptRef?) async throws -> HeartbeatResult {
        var request = Lightning_V1_HeartbeatRequest()
        request.workerID = workerID
        if let attempt {
            request.rolloutID = attempt.rolloutID
            request.attemptID = attempt.attemptID
            request.lease = attempt.lease
        }
        guard case .heartbeat(let response) = try await call(.heartbeat(request)) else { throw wrongKind("heartbeat") }
        return HeartbeatResult(
            attemptStatus: response.attemptStatus == .unspecified ? nil : try response.attemptStatus.core(),
            rolloutStatus: response.rolloutStatus == .unspecified ? nil : try response.rolloutStatus.core()
        )
    }

    public func updateAttempt(_ attempt: AttemptRef, status: AttemptStatus, error: String?) async throws -> ClaimedRollout {
        var request = Lightning_V1_UpdateAttemptRequest()
        request.rolloutID = attempt.rolloutID
        request.attemptID = attempt.attemptID
        request.lease = attempt.lease
        request.status = .init(status)
        request.error = error ?? ""
        guard case .updateAttempt(let response) = try await call(.updateAttempt(request)) else { throw wrongKind("update_attempt") }
        return ClaimedRollout(rollout: try response.rollout.core(), attempt: try response.attempt.core())
    }

    public func updateRollout(rolloutID: String, cancel: Bool, metadata: JSONText?) async throws -> Rollout {
        var request = Lightning_V1_UpdateRolloutRequest()
        request.rolloutID = rolloutID
        request.cancel = cancel
        if let metadata { request.metadataJson = metadata.text }
        guard case .updateRollout(let response) = try await call(.updateRollout(request)) else { throw wrongKind("update_rollout") }
        return try response.rollout.core()
    }

    public func addSpans(_ spans: [Span]) async throws -> AddSpansResult {
        var request = Lightning_V1_AddSpansRequest()
        request.spans = spans.map(Lightning_V1_Span.init)
        guard case .addSpans(let response) = try await call(.addSpans(request)) else { throw wrongKind("add_spans") }
        return AddSpansResult(
            stored: Int(response.stored), duplicates: Int(response.duplicates),
            rejected: response.rejected.map { rejected in
                RejectedSpan(
                    index: Int(rejected.index),
                    error: LightningError(ErrorCode(rawValue: rejected.code) ?? .internal, rejected.message)
                )
            }
        )
    }

    public func queryRollouts(_ query: RolloutQuery) async throws -> RolloutPage {
        var request = Lightning_V1_QueryRolloutsRequest()
        request.statuses = query.statuses.map(Lightning_V1_RolloutStatus.init)
        request.jobID = query.jobID ?? ""
        request.mode = .init(query.mode)
        request.rolloutIds = query.rolloutIDs
        request.groupKey = query.groupKey ?? ""
        request.limit = UInt32(clamping: query.limit)
        request.offset = UInt32(clamping: query.offset)
        request.oldestFirst = query.oldestFirst
        guard case .queryRollouts(let response) = try await call(.queryRollouts(request)) else { throw wrongKind("query_rollouts") }
        return RolloutPage(rollouts: try response.rollouts.map { rollout throws(LightningError) in try rollout.core() }, total: Int(response.total))
    }

    public func getRollout(rolloutID: String) async throws -> RolloutDetail {
        var request = Lightning_V1_GetRolloutRequest()
        request.rolloutID = rolloutID
        guard case .getRollout(let response) = try await call(.getRollout(request)) else { throw wrongKind("get_rollout") }
        return RolloutDetail(
            rollout: try response.rollout.core(),
            attempts: try response.attempts.map { attempt throws(LightningError) in try attempt.core() }
        )
    }

    public func querySpans(_ query: SpanQuery) async throws -> [Span] {
        var request = Lightning_V1_QuerySpansRequest()
        request.rolloutID = query.rolloutID
        switch query.attempt {
        case .all: request.attemptID = ""
        case .latest: request.attemptID = "latest"
        case .id(let id): request.attemptID = id
        }
        request.name = query.name ?? ""
        request.afterSequence = query.afterSequence
        request.limit = UInt32(clamping: query.limit)
        guard case .querySpans(let response) = try await call(.querySpans(request)) else { throw wrongKind("query_spans") }
        return response.spans.map(\.core)
    }

    public func waitForRollouts(rolloutIDs: [String], timeoutSeconds: Double) async throws -> [Rollout] {
        var request = Lightning_V1_WaitForRolloutsRequest()
        request.rolloutIds = rolloutIDs
        request.timeoutSeconds = timeoutSeconds
        let result = try await call(.waitForRollouts(request), extraTime: .milliseconds(Int64(max(0, min(timeoutSeconds, 3600)) * 1000)))
        guard case .waitForRollouts(let response) = result else { throw wrongKind("wait_for_rollouts") }
        return try response.finished.map { rollout throws(LightningError) in try rollout.core() }
    }

    public func addResources(_ entries: [String: JSONText], resourcesID: String?) async throws -> Resources {
        var request = Lightning_V1_AddResourcesRequest()
        request.entriesJson = entries.mapValues(\.text)
        request.resourcesID = resourcesID ?? Identifier.resources()
        guard case .addResources(let response) = try await call(.addResources(request)) else { throw wrongKind("add_resources") }
        return response.resources.core()
    }

    public func getLatestResources() async throws -> Resources? {
        guard case .getLatestResources(let response) = try await call(.getLatestResources(.init())) else {
            throw wrongKind("get_latest_resources")
        }
        return response.hasResources ? response.resources.core() : nil
    }

    public func getResources(resourcesID: String) async throws -> Resources {
        var request = Lightning_V1_GetResourcesRequest()
        request.resourcesID = resourcesID
        guard case .getResources(let response) = try await call(.getResources(request)) else { throw wrongKind("get_resources") }
        return response.resources.core()
    }

    public func listWorkers() async throws -> [Worker] {
        guard case .listWorkers(let response) = try await call(.listWorkers(.init())) else { throw wrongKind("list_workers") }
        return response.workers.map { $0.core() }
    }

    func wrongKind(_ call: String) -> LightningError {
        LightningError(.malformedMessage, "the store answered \(call) with a result of another call")
    }
}
