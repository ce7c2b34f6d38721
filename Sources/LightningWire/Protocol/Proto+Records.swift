import Foundation
import LightningCore

/// How much to trust a message being turned into a core value: requests from clients are checked,
/// replies from the store are not checked again.
public enum Trust: Sendable {
    case validate
    case trusted
}

func json(_ text: String, field: String, default fallback: JSONText = .emptyObject, _ trust: Trust) throws(LightningError) -> JSONText {
    if text.isEmpty { return fallback }
    switch trust {
    case .validate: return try JSONText(validating: text, field: field)
    case .trusted: return JSONText(unchecked: text)
    }
}

func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

extension Lightning_V1_RolloutConfig {
    public init(_ config: RolloutConfig) {
        self.init()
        if let timeout = config.timeoutSeconds { timeoutSeconds = timeout } else { timeoutSeconds = 0 }
        if let silence = config.unresponsiveSeconds { unresponsiveSeconds = silence } else { unresponsiveSeconds = 0 }
        maxAttempts = UInt32(config.maxAttempts)
        retryOn = config.retryOn.sorted { $0.rawValue < $1.rawValue }.map(Lightning_V1_AttemptStatus.init)
        retryOnSet = true
    }

    /// Unset fields take the defaults of `RolloutConfig()`; zero or negative limits mean "none".
    public func core() throws(LightningError) -> RolloutConfig {
        var config = RolloutConfig()
        if hasTimeoutSeconds { config.timeoutSeconds = timeoutSeconds > 0 ? timeoutSeconds : nil }
        if hasUnresponsiveSeconds { config.unresponsiveSeconds = unresponsiveSeconds > 0 ? unresponsiveSeconds : nil }
        if hasMaxAttempts { config.maxAttempts = Int(maxAttempts) }
        if retryOnSet || !retryOn.isEmpty {
            var statuses = Set<AttemptStatus>()
            for status in retryOn { statuses.insert(try status.core()) }
            config.retryOn = statuses
        }
        return try config.validated()
    }
}

extension Lightning_V1_RolloutSubmission {
    public init(_ submission: RolloutSubmission) {
        self.init()
        rolloutID = submission.rolloutID ?? ""
        jobID = submission.jobID ?? ""
        inputJson = submission.input.text
        mode = .init(submission.mode)
        groupKey = submission.groupKey ?? ""
        resourcesID = submission.resourcesID ?? ""
        config = .init(submission.config)
        metadataJson = submission.metadata.text
    }

    public func core() throws(LightningError) -> RolloutSubmission {
        if !rolloutID.isEmpty { try Validation.identifier(rolloutID, field: "rollout_id") }
        if !jobID.isEmpty { try Validation.identifier(jobID, field: "job_id") }
        if !resourcesID.isEmpty { try Validation.identifier(resourcesID, field: "resources_id") }
        try Validation.text(groupKey, field: "group_key", maxBytes: 1024)
        guard !inputJson.isEmpty else { throw LightningError(.badRequest, "input_json must hold the task as JSON") }
        return RolloutSubmission(
            rolloutID: rolloutID.isEmpty ? nil : rolloutID,
            jobID: jobID.isEmpty ? nil : jobID,
            input: try json(inputJson, field: "input_json", .validate),
            mode: try mode.core() ?? .train,
            groupKey: groupKey.isEmpty ? nil : groupKey,
            resourcesID: resourcesID.isEmpty ? nil : resourcesID,
            config: hasConfig ? try config.core() : RolloutConfig(),
            metadata: try json(metadataJson, field: "metadata_json", .validate)
        )
    }
}

extension Lightning_V1_Rollout {
    public init(_ rollout: Rollout) {
        self.init()
        rolloutID = rollout.rolloutID
        jobID = rollout.jobID ?? ""
        inputJson = rollout.input.text
        mode = .init(rollout.mode)
        groupKey = rollout.groupKey ?? ""
        resourcesID = rollout.resourcesID ?? ""
        status = .init(rollout.status)
        config = .init(rollout.config)
        metadataJson = rollout.metadata.text
        if let reward = rollout.finalReward { finalReward = reward }
        createdAt = rollout.createdAt.timeIntervalSince1970
        updatedAt = rollout.updatedAt.timeIntervalSince1970
        if let ended = rollout.endedAt { endedAt = ended.timeIntervalSince1970 }
        attemptCount = UInt32(rollout.attemptCount)
    }

    public func core() throws(LightningError) -> Rollout {
        Rollout(
            rolloutID: rolloutID,
            jobID: jobID.isEmpty ? nil : jobID,
            input: try json(inputJson, field: "input_json", .trusted),
            mode: try mode.core() ?? .train,
            groupKey: groupKey.isEmpty ? nil : groupKey,
            resourcesID: resourcesID.isEmpty ? nil : resourcesID,
            status: try status.core(),
            config: try config.core(),
            metadata: try json(metadataJson, field: "metadata_json", .trusted),
            finalReward: hasFinalReward ? finalReward : nil,
            createdAt: date(createdAt),
            updatedAt: date(updatedAt),
            endedAt: hasEndedAt ? date(endedAt) : nil,
            attemptCount: Int(attemptCount)
        )
    }
}

extension Lightning_V1_Attempt {
    public init(_ attempt: Attempt) {
        self.init()
        attemptID = attempt.attemptID
        rolloutID = attempt.rolloutID
        sequence = UInt32(attempt.sequence)
        workerID = attempt.workerID ?? ""
        status = .init(attempt.status)
        lease = attempt.lease
        startedAt = attempt.startedAt.timeIntervalSince1970
        if let heartbeat = attempt.lastHeartbeatAt { lastHeartbeatAt = heartbeat.timeIntervalSince1970 }
        if let ended = attempt.endedAt { endedAt = ended.timeIntervalSince1970 }
        error = attempt.error ?? ""
    }

    public func core() throws(LightningError) -> Attempt {
        Attempt(
            attemptID: attemptID,
            rolloutID: rolloutID,
            sequence: Int(sequence),
            workerID: workerID.isEmpty ? nil : workerID,
            status: try status.core(),
            lease: lease,
            startedAt: date(startedAt),
            lastHeartbeatAt: hasLastHeartbeatAt ? date(lastHeartbeatAt) : nil,
            endedAt: hasEndedAt ? date(endedAt) : nil,
            error: error.isEmpty ? nil : error
        )
    }
}

extension Lightning_V1_Claimed {
    public init(_ claimed: ClaimedRollout) {
        self.init()
        rollout = .init(claimed.rollout)
        attempt = .init(claimed.attempt)
    }

    public func core() throws(LightningError) -> ClaimedRollout {
        ClaimedRollout(rollout: try rollout.core(), attempt: try attempt.core())
    }
}

extension Lightning_V1_Span {
    public init(_ span: Span) {
        self.init()
        rolloutID = span.rolloutID
        attemptID = span.attemptID
        sequence = span.sequence
        traceID = span.traceID
        spanID = span.spanID
        parentSpanID = span.parentSpanID ?? ""
        name = span.name
        kind = .init(span.kind)
        statusCode = .init(span.statusCode)
        statusMessage = span.statusMessage
        startTimeUnixNano = span.startTimeUnixNano
        endTimeUnixNano = span.endTimeUnixNano
        attributesJson = span.attributes.text
        eventsJson = span.events.text
        resourceJson = span.resource.text
    }

    /// Converts without checking; the store validates every span before it writes it, and rejects
    /// the invalid ones one by one.
    public var core: Span {
        Span(
            rolloutID: rolloutID,
            attemptID: attemptID,
            sequence: sequence,
            traceID: traceID,
            spanID: spanID,
            parentSpanID: parentSpanID.isEmpty ? nil : parentSpanID,
            name: name,
            kind: kind.core,
            statusCode: statusCode.core,
            statusMessage: statusMessage,
            startTimeUnixNano: startTimeUnixNano,
            endTimeUnixNano: endTimeUnixNano,
            attributes: attributesJson.isEmpty ? .emptyObject : JSONText(unchecked: attributesJson),
            events: eventsJson.isEmpty ? .emptyArray : JSONText(unchecked: eventsJson),
            resource: resourceJson.isEmpty ? .emptyObject : JSONText(unchecked: resourceJson)
        )
    }
}

extension Lightning_V1_Resources {
    public init(_ resources: Resources) {
        self.init()
        resourcesID = resources.resourcesID
        version = resources.version
        entriesJson = resources.entries.mapValues(\.text)
        createdAt = resources.createdAt.timeIntervalSince1970
    }

    public func core() -> Resources {
        Resources(
            resourcesID: resourcesID, version: version,
            entries: entriesJson.mapValues { JSONText(unchecked: $0) }, createdAt: date(createdAt)
        )
    }
}

extension Lightning_V1_Worker {
    public init(_ worker: Worker) {
        self.init()
        workerID = worker.workerID
        status = worker.status.rawValue
        lastHeartbeatAt = worker.lastHeartbeatAt.timeIntervalSince1970
        currentAttemptID = worker.currentAttemptID ?? ""
        currentRolloutID = worker.currentRolloutID ?? ""
    }

    public func core() -> Worker {
        Worker(
            workerID: workerID, status: Worker.Status(rawValue: status) ?? .lost, lastHeartbeatAt: date(lastHeartbeatAt),
            currentAttemptID: currentAttemptID.isEmpty ? nil : currentAttemptID,
            currentRolloutID: currentRolloutID.isEmpty ? nil : currentRolloutID
        )
    }
}

extension Lightning_V1_Job {
    public init(_ job: Job) {
        self.init()
        jobID = job.jobID
        algorithm = job.algorithm
        configJson = job.config.text
        dataset = job.dataset
        status = .init(job.status)
        currentStep = UInt32(job.currentStep)
        totalSteps = UInt32(job.totalSteps)
        modelVersion = job.modelVersion
        owner = job.owner ?? ""
        error = job.error ?? ""
        createdAt = job.createdAt.timeIntervalSince1970
        updatedAt = job.updatedAt.timeIntervalSince1970
    }

    public func core() throws(LightningError) -> Job {
        Job(
            jobID: jobID, algorithm: algorithm, config: try json(configJson, field: "config_json", .trusted), dataset: dataset,
            status: try status.core(), currentStep: Int(currentStep), totalSteps: Int(totalSteps), modelVersion: modelVersion,
            owner: owner.isEmpty ? nil : owner, error: error.isEmpty ? nil : error,
            createdAt: date(createdAt), updatedAt: date(updatedAt)
        )
    }
}

extension Lightning_V1_JobMetrics {
    public init(_ metrics: JobMetrics) {
        self.init()
        jobID = metrics.jobID
        step = UInt32(metrics.step)
        values = metrics.values
        recordedAt = metrics.recordedAt.timeIntervalSince1970
    }

    public func core(_ trust: Trust) throws(LightningError) -> JobMetrics {
        if trust == .validate {
            try Validation.identifier(jobID, field: "job_id")
            for (name, value) in values {
                try Validation.text(name, field: "metric name", maxBytes: 256)
                guard value.isFinite else { throw LightningError(.badRequest, "metric \(name) is not a finite number") }
            }
        }
        return JobMetrics(jobID: jobID, step: Int(step), values: values, recordedAt: date(recordedAt))
    }
}
