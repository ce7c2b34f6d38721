import ArgumentParser
import LightningModel

@main
struct LightningBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lightning-bench",
        abstract: "Benchmarks of Agent Lightning's services (results go to BENCHMARKS.md through the make targets).",
        subcommands: [StoreBenchmark.self, PingBenchmark.self, ModelBenchmarkCommand.self, OpenModelBenchmark.self, RunnerBenchmark.self]
    )

    /// Runs the command, first restarting once with OpenBLAS's fast kernels where it would pick generic ones.
    static func main() async {
        BLASKernelSelection.reexecIfNeeded()
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
