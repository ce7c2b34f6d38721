import Foundation

/// What the store knows about a runner worker, derived from its heartbeats.
public struct Worker: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case idle, busy, lost
    }

    public var workerID: String
    public var status: Status
    public var lastHeartbeatAt: Date
    /// The attempt it is working on, when busy.
    public var currentAttemptID: String?
    public var currentRolloutID: String?

    public init(workerID: String, status: Status, lastHeartbeatAt: Date, currentAttemptID: String? = nil, currentRolloutID: String? = nil) {
        self.workerID = workerID
        self.status = status
        self.lastHeartbeatAt = lastHeartbeatAt
        self.currentAttemptID = currentAttemptID
        self.currentRolloutID = currentRolloutID
    }
}
