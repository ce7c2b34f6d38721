import LightningCore

extension Lightning_V1_RolloutStatus {
    public init(_ status: RolloutStatus) {
        switch status {
        case .queuing: self = .queuing
        case .preparing: self = .preparing
        case .running: self = .running
        case .requeuing: self = .requeuing
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        }
    }

    public func core() throws(LightningError) -> RolloutStatus {
        switch self {
        case .queuing: .queuing
        case .preparing: .preparing
        case .running: .running
        case .requeuing: .requeuing
        case .succeeded: .succeeded
        case .failed: .failed
        case .cancelled: .cancelled
        case .unspecified, .UNRECOGNIZED: throw LightningError(.badRequest, "rollout status \(rawValue) is not a known status")
        }
    }
}

extension Lightning_V1_AttemptStatus {
    public init(_ status: AttemptStatus) {
        switch status {
        case .preparing: self = .preparing
        case .running: self = .running
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .timeout: self = .timeout
        case .unresponsive: self = .unresponsive
        }
    }

    public func core() throws(LightningError) -> AttemptStatus {
        switch self {
        case .preparing: .preparing
        case .running: .running
        case .succeeded: .succeeded
        case .failed: .failed
        case .timeout: .timeout
        case .unresponsive: .unresponsive
        case .unspecified, .UNRECOGNIZED: throw LightningError(.badRequest, "attempt status \(rawValue) is not a known status")
        }
    }
}

extension Lightning_V1_RolloutMode {
    public init(_ mode: RolloutMode?) {
        switch mode {
        case .train: self = .train
        case .val: self = .val
        case .test: self = .test
        case nil: self = .unspecified
        }
    }

    /// `nil` for unspecified, which queries read as "any mode" and submissions as `train`.
    public func core() throws(LightningError) -> RolloutMode? {
        switch self {
        case .unspecified: nil
        case .train: .train
        case .val: .val
        case .test: .test
        case .UNRECOGNIZED: throw LightningError(.badRequest, "rollout mode \(rawValue) is not a known mode")
        }
    }
}

extension Lightning_V1_SpanKind {
    public init(_ kind: SpanKind) {
        switch kind {
        case .unspecified: self = .unspecified
        case .internal: self = .internal
        case .server: self = .server
        case .client: self = .client
        case .producer: self = .producer
        case .consumer: self = .consumer
        }
    }

    public var core: SpanKind {
        switch self {
        case .unspecified, .UNRECOGNIZED: .unspecified
        case .internal: .internal
        case .server: .server
        case .client: .client
        case .producer: .producer
        case .consumer: .consumer
        }
    }
}

extension Lightning_V1_SpanStatusCode {
    public init(_ code: SpanStatusCode) {
        switch code {
        case .unset: self = .unset
        case .ok: self = .ok
        case .error: self = .error
        }
    }

    public var core: SpanStatusCode {
        switch self {
        case .unset, .UNRECOGNIZED: .unset
        case .ok: .ok
        case .error: .error
        }
    }
}

extension Lightning_V1_JobStatus {
    public init(_ status: JobStatus) {
        switch status {
        case .pending: self = .pending
        case .running: self = .running
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        }
    }

    public func core() throws(LightningError) -> JobStatus {
        switch self {
        case .pending: .pending
        case .running: .running
        case .succeeded: .succeeded
        case .failed: .failed
        case .cancelled: .cancelled
        case .unspecified, .UNRECOGNIZED: throw LightningError(.badRequest, "job status \(rawValue) is not a known status")
        }
    }
}
