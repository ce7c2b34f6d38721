import ArgumentParser
import LightningCore

/// `lightning-ctl jobs`: the training jobs, newest first.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List training jobs, newest first.")

    @OptionGroup var options: StoreOptions

    @Option(help: "Only jobs with this status (repeatable): pending, running, succeeded, failed, cancelled")
    var status: [JobStatus] = []

    @Option(help: "Jobs at most")
    var limit = 50

    @Flag(help: "Print the jobs as one JSON array")
    var json = false

    func run() async throws {
        let jobs = try await options.withClient { try await $0.listJobs(statuses: status, limit: limit) }
        if json { return try Output.json(jobs.json) }
        var table = Table("JOB", "STATUS", "STEP", "TASK", "ALGORITHM", "MODEL", "CREATED")
        for job in jobs {
            table.add(job.jobID, job.status.rawValue, "\(job.currentStep)/\(job.totalSteps)", job.dataset, job.algorithm,
                      "v\(job.modelVersion)", Format.date(job.createdAt))
        }
        if jobs.isEmpty { print("no jobs") } else { table.print() }
    }
}
