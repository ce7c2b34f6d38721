import ArgumentParser
import LightningTasks

/// `lightning-ctl dataset TASK`: a built-in task's examples as JSONL, ready for `submit`.
struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Print examples of a built-in task as JSONL, one task per line, ready for submit."
    )

    @Argument(help: "A built-in task: \(ExampleTasks.names.joined(separator: ", "))")
    var task: String

    @Option(help: "train or validation")
    var split: TaskSplit = .train

    @Option(help: "Examples to print")
    var count = 10

    @Option(help: "Index of the first example")
    var offset = 0

    func validate() throws {
        guard count >= 0, offset >= 0 else { throw ValidationError("--count and --offset must not be negative") }
    }

    func run() async throws {
        guard let example = ExampleTasks.named(task) else {
            throw CtlFailure.usage("unknown task '\(task)'; built in: \(ExampleTasks.names.joined(separator: ", "))")
        }
        for item in example.examples(split, count: count, offset: offset) {
            print(item.input.text)
        }
    }
}
