import Foundation

/// What async callers hand to the engine thread: submitted requests, cancellations, the current
/// weights, the stop flag. `@unchecked Sendable`: every stored property is read and written only while
/// holding `condition`.
final class EngineInbox: @unchecked Sendable {
    typealias Continuation = AsyncThrowingStream<GenerationEvent, any Error>.Continuation

    /// A request with the weights that were current when it was submitted.
    struct Submission {
        let id: UInt64
        let request: GenerationRequest
        let weights: any DecoderWeights
        let version: Int
        let continuation: Continuation
    }

    /// Work taken by the engine thread.
    struct Work {
        var submissions: [Submission] = []
        var cancelled: Set<UInt64> = []
        var stopping = false
    }

    private let condition = NSCondition()
    private var work = Work()
    private var weights: any DecoderWeights
    private var version: Int
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    private var nextID: UInt64 = 0
    private var statistics = GenerationEngine.Statistics()

    init(weights: any DecoderWeights, version: Int) {
        self.weights = weights
        self.version = version
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }

    /// Queues a request with the current weights; returns its id, or nil when the engine is stopping.
    func submit(_ request: GenerationRequest, continuation: Continuation) -> UInt64? {
        locked {
            guard !work.stopping else { return nil }
            nextID += 1
            work.submissions.append(Submission(id: nextID, request: request, weights: weights, version: version,
                                               continuation: continuation))
            condition.signal()
            return nextID
        }
    }

    func cancel(_ id: UInt64) {
        locked {
            work.cancelled.insert(id)
            condition.signal()
        }
    }

    /// Makes `weights` current: requests submitted from now on use them.
    func load(_ weights: any DecoderWeights, version: Int) {
        locked {
            self.weights = weights
            self.version = version
        }
    }

    var currentVersion: Int { locked { version } }

    var currentStatistics: GenerationEngine.Statistics { locked { statistics } }

    /// Engine side: records one step.
    func recordStep(rows: Int, generated: Int, running: Int) {
        locked {
            statistics.steps += 1
            statistics.rows += rows
            statistics.generatedTokens += generated
            statistics.runningSequences = running
        }
    }

    /// Engine side: the running count after cancellations, which may leave nothing to step (and so
    /// nothing to record the new count).
    func recordRunning(_ running: Int) {
        locked { statistics.runningSequences = running }
    }

    func stop() {
        locked {
            work.stopping = true
            condition.signal()
        }
    }

    /// Engine side: takes everything queued. When `idle`, first sleeps until something arrives.
    func take(idle: Bool) -> Work {
        locked {
            while idle, work.submissions.isEmpty, work.cancelled.isEmpty, !work.stopping { condition.wait() }
            let taken = work
            work.submissions.removeAll()
            work.cancelled.removeAll()
            return taken
        }
    }

    /// Engine side: the thread has finished; wakes `waitForExit` callers.
    func markExited() {
        let waiters = locked {
            exited = true
            defer { exitWaiters.removeAll() }
            return exitWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitForExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = locked {
                if exited { return true }
                exitWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
