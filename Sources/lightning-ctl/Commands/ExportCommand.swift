import ArgumentParser
import Foundation
import LightningAlgorithm
import LightningClient
import LightningCore

/// `lightning-ctl export JOB`: a job's training data as JSONL, one line per LLM call of each succeeded
/// train rollout, read from the spans exactly as the trainer reads them (`TransitionExtractor`).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a job's transitions as JSONL: per LLM call of each succeeded train rollout, its token ids, logprobs and reward."
    )

    @OptionGroup var options: StoreOptions

    @Argument(help: "The job id")
    var jobID: String

    @Option(help: "Write to this file instead of stdout")
    var output: String?

    @Option(help: "Only calls of this agent (repeatable; default: the job's `agents` setting, else all)")
    var agent: [String] = []

    func run() async throws {
        let sink = try Sink(path: output)
        let counts = try await options.withClient { client in
            let job = try await client.getJob(jobID: jobID, withMetrics: false).job
            let configured = (try? TrainingSettings.parse(job.config))?.agents
            let extractor = TransitionExtractor(agentNames: agent.isEmpty ? configured.map(Set.init) : Set(agent))
            return try await export(client: client, extractor: extractor, sink: sink)
        }
        try sink.close()
        Output.note("exported \(counts.transitions) transitions from \(counts.rollouts) rollouts" +
                    (counts.skipped > 0 ? " (\(counts.skipped) unusable LLM-call spans skipped)" : ""))
    }

    private func export(client: StoreClient, extractor: TransitionExtractor, sink: Sink) async throws -> (rollouts: Int, transitions: Int, skipped: Int) {
        var counts = (rollouts: 0, transitions: 0, skipped: 0)
        var offset = 0
        while true {
            let page = try await client.queryRollouts(RolloutQuery(
                statuses: [.succeeded], jobID: jobID, mode: .train, limit: 500, offset: offset, oldestFirst: true))
            for rollout in page.rollouts {
                // A succeeded rollout's latest attempt is the one that succeeded.
                let spans = try await SpansCommand.allSpans(client, SpanQuery(rolloutID: rollout.rolloutID, attempt: .latest))
                let trace = RolloutTrace(rollout: rollout, spans: spans)
                let extraction = extractor.extract(trace)
                for call in extraction.calls {
                    try sink.write(Self.line(call, trace: trace))
                }
                counts.rollouts += 1
                counts.transitions += extraction.calls.count
                counts.skipped += extraction.skipped.count
            }
            offset += page.rollouts.count
            if page.rollouts.count < 500 || offset >= page.total { return counts }
        }
    }

    /// One transition: what the model saw and produced, the logprobs it sampled with, the rollout's reward.
    static func line(_ call: LLMCall, trace: RolloutTrace) -> String {
        var writer = JSONWriter(capacity: 64 + 12 * (call.promptTokenIDs.count + call.responseTokenIDs.count))
        writer.beginObject()
        writer.key("rollout_id")
        writer.string(call.rolloutID)
        writer.key("group_key")
        if let group = trace.groupKey { writer.string(group) } else { writer.null() }
        writer.key("span_id")
        writer.string(call.spanID)
        writer.key("sequence")
        writer.integer(call.sequence)
        writer.key("agent_name")
        if let agent = call.agentName { writer.string(agent) } else { writer.null() }
        writer.key("model_version")
        if let version = call.modelVersion { writer.integer(Int64(version)) } else { writer.null() }
        writer.key("temperature")
        writer.number(Double(call.temperature))
        writer.key("prompt_token_ids")
        writer.beginArray()
        call.promptTokenIDs.forEach { writer.integer(Int64($0)) }
        writer.endArray()
        writer.key("response_token_ids")
        writer.beginArray()
        call.responseTokenIDs.forEach { writer.integer(Int64($0)) }
        writer.endArray()
        writer.key("response_logprobs")
        writer.beginArray()
        // Through the Float's shortest decimal form: `-0.5123` rather than the Double's `-0.51230001449584961`.
        call.responseLogprobs.forEach { writer.number(Double("\($0)") ?? Double($0)) }
        writer.endArray()
        writer.key("reward")
        if let reward = trace.finalReward { writer.number(reward) } else { writer.null() }
        writer.endObject()
        return writer.text
    }
}

/// Lines to stdout or a file, buffered.
final class Sink {
    private let handle: FileHandle
    private let ownsHandle: Bool
    private var buffer = Data()

    init(path: String?) throws {
        ownsHandle = path != nil
        guard let path else {
            handle = .standardOutput
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CtlFailure.usage("cannot write \(path)")
        }
        self.handle = handle
    }

    func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    func close() throws {
        try flush()
        if ownsHandle { try handle.close() }
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
