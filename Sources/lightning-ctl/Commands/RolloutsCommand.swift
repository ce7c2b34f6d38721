import ArgumentParser
import LightningCore

/// `lightning-ctl rollouts`: rollouts matching filters, newest first.
struct RolloutsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollouts", abstract: "List rollouts, newest first.")

    @OptionGroup var options: StoreOptions

    @Option(help: "Only rollouts with this status (repeatable): queuing, preparing, running, requeuing, succeeded, failed, cancelled")
    var status: [RolloutStatus] = []

    @Option(help: "Only rollouts of this job")
    var job: String?

    @Option(help: "Only rollouts of this mode: train, val or test")
    var mode: RolloutMode?

    @Option(help: "Only rollouts of this GRPO group")
    var group: String?

    @Option(help: "Rollouts at most (up to 10000)")
    var limit = 50

    @Option(help: "Rollouts to skip")
    var offset = 0

    @Flag(help: "Print the page as one JSON document: {rollouts, total}")
    var json = false

    func run() async throws {
        let query = RolloutQuery(statuses: status, jobID: job, mode: mode, groupKey: group, limit: limit, offset: offset)
        let page = try await options.withClient { try await $0.queryRollouts(query) }
        if json {
            return try Output.json(["rollouts": page.rollouts.json, "total": .number(Double(page.total))])
        }
        guard !page.rollouts.isEmpty else { return print("no rollouts") }
        var table = Table("ROLLOUT", "STATUS", "MODE", "ATTEMPTS", "REWARD", "JOB", "CREATED", "INPUT")
        for rollout in page.rollouts {
            table.add(rollout.rolloutID, rollout.status.rawValue, rollout.mode.rawValue, "\(rollout.attemptCount)",
                      Format.number(rollout.finalReward), rollout.jobID ?? "-", Format.date(rollout.createdAt),
                      Format.clip(rollout.input.text, 40))
        }
        table.print()
        if page.total > page.rollouts.count {
            print("\(page.rollouts.count) of \(page.total); --limit and --offset page through the rest")
        }
    }
}
