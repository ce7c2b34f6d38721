import ArgumentParser
import Foundation
import LightningClient
import LightningCore
import LightningRunner
import LightningTasks
import LightningServices
import LightningWire
import Logging
import ServiceLifecycle

@main
struct LightningRunnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lightning-runner",
        abstract: "Takes rollouts from the LightningStore and runs an agent on each: a built-in one or any program."
    )

    @Option(help: "Store request endpoints, comma-separated [env: LIGHTNING_STORE]")
    var store = Environment.string("LIGHTNING_STORE", default: "tcp://127.0.0.1:5555")

    @Option(help: "Rollouts run at once [env: LIGHTNING_RUNNER_WORKERS]")
    var workers = Environment.int("LIGHTNING_RUNNER_WORKERS", default: 4)

    @Option(help: "A built-in agent: \(AgentCatalog.names.joined(separator: ", ")) [env: LIGHTNING_AGENT]")
    var agent: String?

    @Option(help: "Run this shell command as the agent, one process per rollout [env: LIGHTNING_AGENT_COMMAND]")
    var agentCommand: String?

    @Option(help: "The store's OTLP/HTTP endpoint given to agents (default http://<store host>:4318) [env: LIGHTNING_OTLP_ENDPOINT]")
    var otlpEndpoint: String?

    @Option(help: "The model host's URL, instead of the resources' llm.endpoint [env: LIGHTNING_MODEL_ENDPOINT]")
    var modelEndpoint: String?

    @Option(help: "The model name agents ask for, instead of the resources' llm.model [env: LIGHTNING_MODEL_NAME]")
    var modelName: String?

    @Option(help: "API key agents present to the model host [env: LIGHTNING_MODEL_API_KEY]")
    var modelAPIKey: String?

    @Option(help: "Seconds a rollout may run here before the runner stops it; 0 for no limit [env: LIGHTNING_ROLLOUT_TIMEOUT]")
    var rolloutTimeout = Environment.double("LIGHTNING_ROLLOUT_TIMEOUT", default: 0)

    @Option(help: "Seconds between heartbeats [env: LIGHTNING_HEARTBEAT_INTERVAL]")
    var heartbeatInterval = Environment.double("LIGHTNING_HEARTBEAT_INTERVAL", default: 5)

    @Option(help: "Seconds running rollouts get to finish on SIGTERM [env: LIGHTNING_DRAIN_GRACE]")
    var drainGrace = Environment.double("LIGHTNING_DRAIN_GRACE", default: 30)

    @Option(help: "The store's CurveZMQ public key [env: LIGHTNING_CURVE_SERVER_KEY]")
    var curveServerKey: String?

    @Option(help: "This client's CurveZMQ secret key [env: LIGHTNING_CURVE_SECRET_KEY]")
    var curveSecretKey: String?

    @Option(help: "trace, debug, info, notice, warning or error [env: LIGHTNING_LOG_LEVEL]")
    var logLevel = Environment.string("LIGHTNING_LOG_LEVEL", default: "info")

    func run() async throws {
        ServiceSetup.bootstrapLogging(level: logLevel)
        let logger = Logger(label: "lightning-runner")
        let endpoints = store.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let client = try StoreClient(
            configuration: StoreClientConfiguration(endpoints: endpoints, security: try curveSecurity()), logger: logger
        )
        defer { client.close() }

        var configuration = RunnerConfiguration()
        configuration.workers = workers
        configuration.heartbeatInterval = .milliseconds(Int64(heartbeatInterval * 1000))
        configuration.drainGrace = .milliseconds(Int64(drainGrace * 1000))
        configuration.rolloutTimeout = rolloutTimeout > 0 ? .milliseconds(Int64(rolloutTimeout * 1000)) : nil
        configuration.modelEndpoint = modelEndpoint ?? Environment.string("LIGHTNING_MODEL_ENDPOINT")
        configuration.modelName = modelName ?? Environment.string("LIGHTNING_MODEL_NAME")
        configuration.modelAPIKey = modelAPIKey ?? Environment.string("LIGHTNING_MODEL_API_KEY")

        let runner = Runner(store: client, agent: try makeAgent(storeEndpoint: endpoints[0]), configuration: configuration, logger: logger)
        let group = ServiceGroup(services: [runner], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    private func makeAgent(storeEndpoint: String) throws -> any Agent {
        if let command = agentCommand ?? Environment.string("LIGHTNING_AGENT_COMMAND") {
            let otlp = otlpEndpoint ?? Environment.string("LIGHTNING_OTLP_ENDPOINT") ?? Self.otlpEndpoint(forStore: storeEndpoint)
            return ExternalAgent(command: command, otlpEndpoint: otlp)
        }
        let name = agent ?? Environment.string("LIGHTNING_AGENT", default: "noop")
        guard let agent = AgentCatalog.agent(named: name) else {
            throw ValidationError("unknown agent \(name); built in: \(AgentCatalog.names.joined(separator: ", ")); or use --agent-command")
        }
        return agent
    }

    /// `tcp://store:5555` → `http://store:4318`.
    static func otlpEndpoint(forStore endpoint: String) -> String {
        var host = endpoint.replacingOccurrences(of: "tcp://", with: "")
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        if host == "*" || host == "0.0.0.0" || host.isEmpty { host = "127.0.0.1" }
        return "http://\(host):4318"
    }

    private func curveSecurity() throws -> CurveClientSecurity? {
        try CurveClientSecurity.keys(
            server: curveServerKey ?? Environment.string("LIGHTNING_CURVE_SERVER_KEY"),
            secret: curveSecretKey ?? Environment.string("LIGHTNING_CURVE_SECRET_KEY"))
    }
}

/// The built-in agents this runner knows by name: the example tasks' agents and `noop`.
enum AgentCatalog {
    static let agents: [any Agent] = ExampleTasks.all.map(\.agent) + [NoopAgent()]
    static var names: [String] { agents.map(\.name) }
    static func agent(named name: String) -> (any Agent)? { agents.first { $0.name == name } }
}
