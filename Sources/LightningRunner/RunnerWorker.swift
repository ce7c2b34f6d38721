import Foundation
import LightningCore
import Logging

/// One worker of a runner: takes a rollout, runs it, and goes back for the next, until draining.
struct RunnerWorker: Sendable {
    let runner: Runner
    let id: String

    func run() async {
        var failures = 0
        var lastHeartbeat = ContinuousClock.now
        while !runner.isDraining, !Task.isCancelled {
            do {
                let claimed = try await runner.store.dequeueRollout(workerID: id, waitSeconds: runner.configuration.dequeueWaitSeconds)
                failures = 0
                if let claimed {
                    if runner.isDraining {
                        await release(claimed, reason: "the runner is shutting down")
                        return
                    }
                    await AttemptRun(runner: runner, workerID: id, claimed: claimed).run()
                } else if ContinuousClock.now - lastHeartbeat > runner.configuration.heartbeatInterval {
                    // Idle, but alive: keeps the worker listed as idle rather than lost.
                    _ = try? await runner.store.heartbeat(workerID: id, attempt: nil)
                    lastHeartbeat = .now
                }
            } catch {
                // The store is away or refusing: back off with jitter, keep trying.
                failures += 1
                let delay = min(5_000, 100 * (1 << min(failures, 6)))
                runner.logger.warning("dequeue failed", metadata: ["runner.worker": "\(id)", "runner.error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(Int.random(in: delay / 2...delay)))
            }
        }
    }

    /// Hands a rollout back: its attempt ends as failed, so the store retries it elsewhere.
    private func release(_ claimed: ClaimedRollout, reason: String) async {
        _ = try? await runner.detached {
            try await runner.store.updateAttempt(AttemptRef(claimed.attempt), status: .failed, error: reason)
        }
    }
}
