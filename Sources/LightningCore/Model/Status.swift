/// Where a rollout is in its life. Terminal states (`succeeded`, `failed`, `cancelled`) are final.
public enum RolloutStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case queuing
    case preparing
    case running
    case requeuing
    case succeeded
    case failed
    case cancelled

    /// A rollout in a terminal state never changes again.
    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled: true
        case .queuing, .preparing, .running, .requeuing: false
        }
    }

    /// Waiting in the queue for a runner to claim it.
    public var isQueued: Bool { self == .queuing || self == .requeuing }
}

/// Where one attempt at a rollout is. `succeeded`, `failed` and `timeout` are final;
/// `unresponsive` can come back to `running` when the worker is heard from again.
public enum AttemptStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case preparing
    case running
    case succeeded
    case failed
    case timeout
    case unresponsive

    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .timeout: true
        case .preparing, .running, .unresponsive: false
        }
    }

    /// Statuses that end an attempt without success, and so may trigger a retry.
    public var isFailure: Bool {
        switch self {
        case .failed, .timeout, .unresponsive: true
        case .preparing, .running, .succeeded: false
        }
    }
}

/// What a rollout is for: training, validation or testing.
public enum RolloutMode: String, Sendable, Hashable, Codable, CaseIterable {
    case train
    case val
    case test
}
