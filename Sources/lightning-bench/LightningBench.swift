import ArgumentParser

@main
struct LightningBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lightning-bench",
        abstract: "Benchmarks of Agent Lightning's services (results go to BENCHMARKS.md through the make targets).",
        subcommands: [StoreBenchmark.self, PingBenchmark.self, ModelBenchmarkCommand.self, RunnerBenchmark.self]
    )
}
