import ArgumentParser
import Foundation
import LightningCore

/// `lightning-ctl submit FILE.jsonl`: one rollout per line, each line a task JSON object.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Enqueue one rollout per line of a JSONL file of tasks (- for stdin); prints the rollout ids."
    )

    @OptionGroup var options: StoreOptions

    @Argument(help: "A file with one task JSON object per line, or - for stdin")
    var file: String

    @Option(help: "train, val or test")
    var mode: RolloutMode = .train

    @Option(help: "The training job the rollouts belong to")
    var job: String?

    @Option(help: "GRPO group key shared by all the rollouts")
    var group: String?

    @Flag(help: "Print the created rollouts as one JSON array")
    var json = false

    func run() async throws {
        let tasks = try Self.readTasks(file)
        let submissions = tasks.map { RolloutSubmission(jobID: job, input: $0, mode: mode, groupKey: group) }
        let rollouts = try await options.withClient { client in
            var rollouts: [Rollout] = []
            // Chunks keep each request well under the store's message limit.
            for start in stride(from: 0, to: submissions.count, by: 500) {
                rollouts += try await client.enqueueRollouts(Array(submissions[start..<min(start + 500, submissions.count)]))
            }
            return rollouts
        }
        if json {
            try Output.json(rollouts.json)
        } else {
            rollouts.forEach { print($0.rolloutID) }
        }
    }

    /// The tasks of a JSONL file; blank lines are skipped, anything else must be a JSON object.
    static func readTasks(_ path: String) throws -> [JSONText] {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CtlFailure.usage("cannot read \(path): \(error.localizedDescription)")
        }
        var tasks: [JSONText] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            do throws(LightningError) {
                guard text.hasPrefix("{") else { throw LightningError(.badRequest, "a task must be a JSON object") }
                tasks.append(try JSONText(validating: text, field: "the task"))
            } catch {
                throw CtlFailure.usage("\(path) line \(index + 1): \(error.message)")
            }
        }
        guard !tasks.isEmpty else { throw CtlFailure.usage("\(path) holds no tasks") }
        return tasks
    }
}
