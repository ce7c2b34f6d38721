import Foundation
import LightningCore
import LightningModel
import Logging
import ServiceLifecycle

/// The trainer as a service: claims training jobs from the store (a job it held before a restart
/// first, then pending ones, oldest first) and runs them one at a time. A job that cannot go on is
/// marked failed with the reason; on shutdown the running job stays with this owner, and a trainer
/// restarted under the same name resumes it from its last checkpoint.
public final class TrainingService: Service, Sendable {
    public struct Configuration: Sendable {
        /// The name this trainer holds jobs under; stable across restarts (the host name by default).
        public var owner = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || "-_.:".contains($0) }
        /// Where checkpoints go (`<root>/<job_id>/step-<n>.ckpt`).
        public var checkpointRoot = URL(fileURLWithPath: ".lightning/checkpoints")
        /// How often to look for a job when there is none.
        public var pollInterval: Duration = .seconds(2)
        /// Stop after the first job ends (for one-shot runs like `make run` and the tests).
        public var exitAfterJob = false
        public var threads = ComputeThreads.defaultWorkers

        public init() {}
    }

    let store: any LightningStoreAPI
    let serving: ServingTarget
    let initial: InitialModel
    let configuration: Configuration
    let logger: Logger

    public init(store: any LightningStoreAPI, serving: ServingTarget, initial: InitialModel, configuration: Configuration, logger: Logger) {
        self.store = store
        self.serving = serving
        self.initial = initial
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        logger.info("trainer waiting for jobs", metadata: ["trainer.owner": "\(configuration.owner)"])
        // Graceful shutdown cancels the job between store calls; its state is its last checkpoint.
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let job: Job?
                do {
                    job = try await self.store.claimJob(owner: self.configuration.owner)
                } catch {
                    self.logger.warning("cannot reach the store for jobs", metadata: ["trainer.error": "\(error)"])
                    job = nil
                }
                guard let job else {
                    try? await Task.sleep(for: self.configuration.pollInterval)
                    continue
                }
                if await self.runJob(job), self.configuration.exitAfterJob { return }
            }
        }
    }

    /// Runs `job`; false when it was interrupted and is to be resumed.
    private func runJob(_ job: Job) async -> Bool {
        logger.info("running job", metadata: ["job.id": "\(job.jobID)", "job.task": "\(job.dataset)", "job.steps": "\(job.totalSteps)"])
        do {
            let training = try TrainingJob(
                job: job, store: store, serving: serving, checkpointRoot: configuration.checkpointRoot, initial: initial,
                threads: configuration.threads, logger: logger)
            try await training.run()
            return true
        } catch is CancellationError {
            logger.notice("job interrupted; it resumes from its last checkpoint", metadata: ["job.id": "\(job.jobID)"])
        } catch where Task.isCancelled {
            logger.notice("job interrupted; it resumes from its last checkpoint", metadata: ["job.id": "\(job.jobID)", "job.error": "\(error)"])
        } catch let error as LightningError where error.code.isRetryable {
            // The store (or its database) is away for longer than the client retries: the job is
            // still ours; claiming it again resumes it from its checkpoint once the store is back.
            logger.warning("store unavailable; resuming the job when it is back", metadata: ["job.id": "\(job.jobID)", "job.error": "\(error)"])
            try? await Task.sleep(for: configuration.pollInterval)
            return false
        } catch {
            logger.error("job failed", metadata: ["job.id": "\(job.jobID)", "job.error": "\(error)"])
            let message = Validation.storable("\(error)")
            do {
                _ = try await store.updateJob(jobID: job.jobID, JobChanges(status: .failed, error: message))
            } catch {
                logger.error("cannot mark the job failed", metadata: ["job.id": "\(job.jobID)", "job.error": "\(error)"])
            }
            return true
        }
        return false
    }
}
