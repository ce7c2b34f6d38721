import ArgumentParser
import LightningClient
import LightningCore

/// `lightning-ctl rollout ID`: one rollout with its attempts and the span tree of each attempt.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Show a rollout: its task, attempts, reward and span tree."
    )

    @OptionGroup var options: StoreOptions

    @Argument(help: "The rollout id")
    var rolloutID: String

    @Flag(help: "Print the rollout, its attempts and its spans as one JSON document")
    var json = false

    func run() async throws {
        let (detail, spans) = try await options.withClient { client in
            let detail = try await client.getRollout(rolloutID: rolloutID)
            return (detail, try await SpansCommand.allSpans(client, SpanQuery(rolloutID: rolloutID)))
        }
        if json {
            return try Output.json(["rollout": detail.rollout.json, "attempts": detail.attempts.json, "spans": spans.json])
        }
        let rollout = detail.rollout
        print("rollout    \(rollout.rolloutID)")
        print("status     \(rollout.status.rawValue) (\(rollout.mode.rawValue))")
        print("reward     \(Format.number(rollout.finalReward))")
        if let job = rollout.jobID { print("job        \(job)\(rollout.groupKey.map { ", group \($0)" } ?? "")") }
        print("input      \(Format.clip(rollout.input.text, 200))")
        print("created    \(Format.date(rollout.createdAt)), ended \(Format.date(rollout.endedAt))")

        print("\nattempts")
        if detail.attempts.isEmpty { print("  none yet") }
        for attempt in detail.attempts {
            let error = attempt.error.map { "  error: \(Format.clip($0, 120))" } ?? ""
            print("  #\(attempt.sequence) \(attempt.attemptID)  \(attempt.status.rawValue)  worker \(attempt.workerID ?? "-")  started \(Format.date(attempt.startedAt))\(error)")
        }

        print("\nspans")
        if spans.isEmpty { print("  none") }
        var attempt = ""
        for line in SpanTree.lines(spans) {
            if line.span.attemptID != attempt {
                attempt = line.span.attemptID
                print("  attempt \(attempt)")
            }
            let status = line.span.statusCode == .unset ? "" : " [\(line.span.statusCode.rawValue)]"
            let summary = SpanTree.summary(line.span)
            print("    \(String(repeating: "  ", count: line.depth))\(line.span.name)\(status)  \(Format.seconds(line.span.durationSeconds))\(summary.isEmpty ? "" : "  \(summary)")")
        }
    }
}
