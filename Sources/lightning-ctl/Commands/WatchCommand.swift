import ArgumentParser
import Foundation
import LightningClient
import LightningCore

/// `lightning-ctl watch [JOB]`: follows a job to its end with a progress bar; the exit code tells
/// how it ended, so scripts can wait on training.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a job (default: the newest running or pending one) until it ends; exit 0 if it succeeded, 1 if not."
    )

    @OptionGroup var options: StoreOptions

    @Argument(help: "The job id")
    var jobID: String?

    @Option(help: "Seconds between polls of the store")
    var interval = 1.0

    @Flag(help: "Print only the final job as JSON")
    var json = false

    func validate() throws {
        guard interval >= 0.05 else { throw ValidationError("--interval must be at least 0.05 s") }
    }

    func run() async throws {
        let job = try await options.withClient { client in
            let id: String
            if let jobID { id = jobID } else { id = try await Self.defaultJob(client) }
            return try await follow(id, client: client)
        }
        if json { try Output.json(job.json) }
        guard job.status == .succeeded else {
            throw CtlFailure(.failure, "job \(job.jobID) \(job.status.rawValue)\(job.error.map { ": \($0)" } ?? "")")
        }
    }

    /// The newest running job, else the newest pending one.
    static func defaultJob(_ client: StoreClient) async throws -> String {
        for status in [JobStatus.running, .pending] {
            if let job = try await client.listJobs(statuses: [status], limit: 1).first { return job.jobID }
        }
        throw CtlFailure(.notFound, "no running or pending job to watch")
    }

    /// Polls the job until it ends and returns it. The first read fails fast when the store is away;
    /// later ones ride out a store restart.
    private func follow(_ id: String, client: StoreClient) async throws -> Job {
        var job = try await client.getJob(jobID: id, withMetrics: false).job
        var progress = Progress(job: job)
        var warned = false
        while true {
            if progress.step != job.currentStep || job.status.isTerminal {
                // Metrics change once per step: read them only then.
                progress.latest = try await client.getJob(jobID: id, withMetrics: true).metrics.last
            }
            progress.update(job)
            if !json { progress.draw() }
            if job.status.isTerminal {
                if !json { progress.finish() }
                return job
            }
            try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
            do {
                job = try await client.getJob(jobID: id, withMetrics: false).job
                warned = false
            } catch let error as LightningError where error.code.isRetryable {
                if !warned { Output.note("\nthe store does not answer (\(error.message)); still watching") }
                warned = true
            }
        }
    }
}

/// The progress line: a bar of the steps done, the latest mean reward and step time.
struct Progress {
    var jobID: String
    var status: JobStatus
    var step = -1
    var totalSteps: Int
    var latest: JobMetrics?
    private var lastLine = ""
    private let redraw = Output.isTerminal

    init(job: Job) {
        jobID = job.jobID
        status = job.status
        totalSteps = job.totalSteps
    }

    mutating func update(_ job: Job) {
        status = job.status
        step = job.currentStep
        totalSteps = job.totalSteps
    }

    var line: String {
        let width = 30
        let done = totalSteps > 0 ? min(width, step * width / totalSteps) : 0
        var parts = ["\(jobID) [\(String(repeating: "█", count: done))\(String(repeating: "░", count: width - done))] \(step)/\(totalSteps)"]
        if let reward = latest?.values["mean_reward"] { parts.append("mean reward \(Format.number(reward))") }
        if let seconds = latest?.values["step_seconds"] { parts.append("step \(Format.seconds(seconds))") }
        parts.append(status.rawValue)
        return parts.joined(separator: "  ")
    }

    /// On a terminal the line is redrawn in place; elsewhere (a log, a pipe) it is printed when it changes.
    mutating func draw() {
        let line = self.line
        guard line != lastLine else { return }
        lastLine = line
        if redraw {
            FileHandle.standardOutput.write(Data("\r\(line)\u{1B}[K".utf8))
        } else {
            print(line)
        }
    }

    func finish() {
        if redraw { print() }
    }
}
