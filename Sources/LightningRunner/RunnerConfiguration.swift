import Foundation

/// How a runner process works; each field has a `LIGHTNING_…` variable in `lightning-runner`.
public struct RunnerConfiguration: Sendable {
    /// Rollouts run at once by this process.
    public var workers = 4
    /// Worker ids are `<prefix>-<n>`; by default the host name and process id.
    public var workerPrefix = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    /// How long one dequeue waits at the store for a rollout.
    public var dequeueWaitSeconds = 5.0
    /// How often a running attempt (and an idle worker) reports that it is alive.
    public var heartbeatInterval: Duration = .seconds(5)
    /// The runner's own limit per rollout, on top of the rollout's `timeout_seconds`; `nil` for none.
    public var rolloutTimeout: Duration?
    /// On SIGTERM: how long running rollouts may take to finish before their attempts are released.
    public var drainGrace: Duration = .seconds(30)
    /// The model host's root URL (`http://host:8000`); by default the `llm.endpoint` of the resources.
    public var modelEndpoint: String?
    /// The model name agents ask for; by default the `llm.model` of the resources.
    public var modelName: String?
    /// The API key agents present to the model host.
    public var modelAPIKey: String?

    public init() {}
}
