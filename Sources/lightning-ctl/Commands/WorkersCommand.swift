import ArgumentParser
import LightningCore

/// `lightning-ctl workers`: the runner workers the store has heard from.
struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workers", abstract: "List runner workers: idle, busy or lost.")

    @OptionGroup var options: StoreOptions

    @Flag(help: "Print the workers as one JSON array")
    var json = false

    func run() async throws {
        let workers = try await options.withClient { try await $0.listWorkers() }
        if json { return try Output.json(workers.json) }
        guard !workers.isEmpty else { return print("no workers") }
        var table = Table("WORKER", "STATUS", "LAST HEARTBEAT", "ROLLOUT", "ATTEMPT")
        for worker in workers {
            table.add(worker.workerID, worker.status.rawValue, Format.date(worker.lastHeartbeatAt),
                      worker.currentRolloutID ?? "-", worker.currentAttemptID ?? "-")
        }
        table.print()
        let counts = Dictionary(grouping: workers, by: \.status).mapValues(\.count)
        print(Worker.Status.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
    }
}
