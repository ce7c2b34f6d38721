import ArgumentParser
import LightningCore

/// `lightning-ctl job ID`: a job's status, its metrics step by step, and its reward curve.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Show a training job: status, step, metrics per step and the reward curve."
    )

    @OptionGroup var options: StoreOptions

    @Argument(help: "The job id")
    var jobID: String

    @Option(help: "Metric drawn as the curve")
    var curve = "mean_reward"

    @Flag(help: "Print the job and its metrics as one JSON document")
    var json = false

    /// The columns of the metrics table, when the job recorded them.
    static let columns = ["mean_reward", "success_rate", "val_success_rate", "loss", "kl", "entropy", "step_seconds"]

    func run() async throws {
        let detail = try await options.withClient { try await $0.getJob(jobID: jobID, withMetrics: true) }
        if json {
            return try Output.json(["job": detail.job.json, "metrics": detail.metrics.json])
        }
        Self.printSummary(detail.job)
        guard !detail.metrics.isEmpty else { return print("\nno metrics recorded yet") }
        print()
        Self.metricsTable(detail.metrics).print()
        let points = detail.metrics.compactMap { $0.values[curve] }
        let chart = BlockChart().render(points)
        if !chart.isEmpty {
            print("\n\(curve) over \(points.count) steps")
            chart.forEach { print($0) }
        }
    }

    static func printSummary(_ job: Job) {
        print("job        \(job.jobID)")
        print("status     \(job.status.rawValue)\(job.error.map { ": \($0)" } ?? "")")
        print("step       \(job.currentStep)/\(job.totalSteps)")
        print("task       \(job.dataset) (\(job.algorithm))")
        print("model      v\(job.modelVersion)\(job.owner.map { " on \($0)" } ?? "")")
        print("config     \(job.config.text)")
        print("created    \(Format.date(job.createdAt)), updated \(Format.date(job.updatedAt))")
    }

    /// One row per recorded step with the well-known metrics present in any step.
    static func metricsTable(_ metrics: [JobMetrics]) -> Table {
        let present = columns.filter { name in metrics.contains { $0.values[name] != nil } }
        var table = Table(["STEP"] + present.map { $0.uppercased() })
        for step in metrics {
            table.add(["\(step.step)"] + present.map { Format.number(step.values[$0]) })
        }
        return table
    }
}
