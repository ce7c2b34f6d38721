import Foundation
import LightningCore

/// Any program as an agent (`lightning-runner --agent-command "python3 my_agent.py"`): one process per
/// rollout, the task JSON on stdin, the standard OpenAI and OpenTelemetry environment variables pointing
/// at the rollout's model URL and at the store, so an existing agent runs unchanged.
///
/// The reward comes from a `lightning.reward` span the agent sends, or from a last stdout line
/// `{"reward": <number>}`. Exit code 0 means success; anything else fails the attempt with the tail of
/// stderr as the reason.
public struct ExternalAgent: Agent {
    public let name: String
    public let command: String
    /// The store's OTLP/HTTP endpoint (`http://store:4318`), given to the agent as OTEL_EXPORTER_OTLP_ENDPOINT.
    public let otlpEndpoint: String
    /// Output kept per stream; the rest is dropped from the front.
    public let outputLimit: Int
    /// Extra environment for every agent process.
    public let environment: [String: String]

    public init(command: String, name: String = "external", otlpEndpoint: String, outputLimit: Int = 64 * 1024, environment: [String: String] = [:]) {
        self.name = name
        self.command = command
        self.otlpEndpoint = otlpEndpoint
        self.outputLimit = outputLimit
        self.environment = environment
    }

    public func run(_ context: RolloutContext) async throws -> Double? {
        let process = try ChildProcess(
            command: command, environment: processEnvironment(context), input: Array(context.task.text.utf8) + [0x0A],
            outputLimit: outputLimit
        )
        let status = await withTaskCancellationHandler {
            await process.wait()
        } onCancel: {
            // A timeout or a lost attempt: kill everything the agent started.
            process.signalGroup(SIGKILL)
        }
        process.signalGroup(SIGKILL)
        try Task.checkCancellation()
        let stdout = process.stdout.text
        guard status == 0 else {
            let reason = status < 0 ? "killed by signal \(-status)" : "exited with status \(status)"
            throw AgentFailure("the agent \(reason); stderr: \(process.stderr.tail())")
        }
        if let reward = try RewardLine.reward(in: stdout) { return reward }
        // No reward line: the agent must have sent a reward span itself.
        guard try await context.storedReward() == nil else { return nil }
        let last = stdout.split(whereSeparator: \.isNewline).last.map { String($0.prefix(200)) } ?? "(no output)"
        throw AgentFailure(
            "the agent reported no reward: no {\"reward\": <number>} line on stdout and no lightning.reward span; last line: \(last)"
        )
    }

    /// The process environment: the runner's own, then the configured extras, then the rollout's.
    func processEnvironment(_ context: RolloutContext) -> [String: String] {
        var values = ProcessInfo.processInfo.environment
        values.merge(environment) { _, new in new }
        values["OPENAI_BASE_URL"] = context.llm.baseURL
        values["OPENAI_API_KEY"] = context.llm.apiKey ?? "lightning"
        values["OPENAI_MODEL"] = context.llm.model
        values["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint
        values["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = otlpEndpoint.hasSuffix("/") ? otlpEndpoint + "v1/traces" : otlpEndpoint + "/v1/traces"
        values["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf"
        var resource = values["OTEL_RESOURCE_ATTRIBUTES"].map { $0.isEmpty ? [] : [$0] } ?? []
        resource.append("lightning.rollout_id=\(context.rollout.rolloutID),lightning.attempt_id=\(context.attempt.attemptID)")
        values["OTEL_RESOURCE_ATTRIBUTES"] = resource.joined(separator: ",")
        values["LIGHTNING_ROLLOUT_ID"] = context.rollout.rolloutID
        values["LIGHTNING_ATTEMPT_ID"] = context.attempt.attemptID
        values["LIGHTNING_MODE"] = context.rollout.mode.rawValue
        return values
    }
}

/// An agent run that failed, with the reason recorded on the attempt.
public struct AgentFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Reads the reward from an agent's stdout: the last non-empty line, when it is a JSON object with
/// a `reward` key, must hold a finite number there.
enum RewardLine {
    static func reward(in stdout: String) throws -> Double? {
        guard let line = stdout.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) else { return nil }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{"), let value = try? JSONText(unchecked: trimmed).value(), let object = value.objectValue,
            let reward = object["reward"]
        else { return nil }
        guard let number = reward.doubleValue, number.isFinite else {
            throw AgentFailure("the agent reported a reward that is not a finite number: \(trimmed.prefix(200))")
        }
        return number
    }
}
