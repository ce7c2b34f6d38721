import LightningCore
import Logging
import PostgresNIO

/// Serves dequeue requests: waiting workers are claimed for together, in one statement for all of them,
/// whenever a rollout may have arrived (an enqueue or requeue event, or the periodic poll that catches
/// what other replicas enqueued). When there are fewer rollouts than waiters, the newest waiters are served
/// first: the oldest are the likeliest to be gone (a client cut off, or one that gave up waiting), and a
/// rollout handed to a gone client stays lost until its attempt is found unresponsive.
final class DequeueDispatcher: Sendable {
    private struct Waiter {
        var id: UInt64
        var request: ClaimRequest
        var deadline: ContinuousClock.Instant
        var tried = false
        var continuation: CheckedContinuation<ClaimedRollout?, any Error>
    }

    private struct State {
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
        /// A rollout may be queued that the last claim did not see.
        var queueChanged = true
        var pollDue = false
        var wake: CheckedContinuation<Void, Never>?
        var stopped = false
    }

    private let database: Database
    private let events: EventBus
    private let pollInterval: Duration
    private let logger: Logger
    private let state = Locked(State())

    init(database: Database, events: EventBus, pollInterval: Duration, logger: Logger) {
        self.database = database
        self.events = events
        self.pollInterval = pollInterval
        self.logger = logger
    }

    func dequeue(workerID: String, wait: Duration) async throws -> ClaimedRollout? {
        try await withCheckedThrowingContinuation { continuation in
            let (accepted, wake) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard !state.stopped else { return (false, nil) }
                state.nextID += 1
                let waiter = Waiter(
                    id: state.nextID, request: ClaimRequest(workerID: workerID),
                    deadline: .now.advanced(by: wait), continuation: continuation
                )
                state.waiters.append(waiter)
                defer { state.wake = nil }
                return (true, state.wake)
            }
            if accepted {
                wake?.resume()
            } else {
                continuation.resume(returning: nil)
            }
        }
    }

    /// Claims for waiting workers until cancelled; then answers every waiter with "nothing queued".
    func run() async {
        let subscription = events.subscribe { [weak self] events, _ in
            let queued = events.contains { event in
                if case .rollout(let change) = event { return change.status.isQueued }
                return false
            }
            if queued { self?.signal { $0.queueChanged = true } }
        }
        defer { events.unsubscribe(subscription) }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.tick() }
            await self.loop()
            group.cancelAll()
        }
        let waiters = state.withLock { state in
            state.stopped = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }

    /// Refuses new dequeues and lets the loop answer the waiting ones at once: after a claim in flight,
    /// so a rollout claimed for a waiter still reaches it.
    func release() {
        signal { state in
            state.stopped = true
            let now = ContinuousClock.now
            for index in state.waiters.indices { state.waiters[index].deadline = now }
        }
    }

    private func signal(_ change: (inout State) -> Void) {
        let wake = state.withLock { state in
            change(&state)
            defer { state.wake = nil }
            return state.wake
        }
        wake?.resume()
    }

    /// Marks a poll due every `pollInterval`, and wakes the loop often enough to expire waiters on time.
    private func tick() async {
        var sincePoll = Duration.zero
        let step = Duration.milliseconds(50)
        while !Task.isCancelled {
            try? await Task.sleep(for: step)
            sincePoll += step
            let pollNow = sincePoll >= pollInterval
            if pollNow { sincePoll = .zero }
            signal { if pollNow { $0.pollDue = true } }
        }
    }

    private func loop() async {
        while !Task.isCancelled {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state -> Bool in
                        let now = ContinuousClock.now
                        let waiting = !state.waiters.isEmpty
                        if state.waiters.contains(where: { !$0.tried || $0.deadline <= now })
                            || (waiting && (state.queueChanged || state.pollDue))
                        {
                            return true
                        }
                        state.wake = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                self.signal { _ in }
            }
            if Task.isCancelled { return }
            await serveWaiters()
        }
    }

    private func serveWaiters() async {
        let batch = state.withLock { state -> [Waiter] in
            let claimWanted = state.waiters.contains { !$0.tried } || state.queueChanged || state.pollDue
            state.pollDue = false
            guard claimWanted, !state.waiters.isEmpty else { return [] }
            state.queueChanged = false
            return state.waiters.reversed()
        }
        var served: [UInt64: Result<ClaimedRollout?, any Error>] = [:]
        if !batch.isEmpty {
            do {
                let claimed = try Claims.read(try await database.execute("dequeue_rollout", try ClaimStatement(batch.map(\.request))))
                for (waiter, claim) in zip(batch, claimed) { served[waiter.id] = .success(claim) }
                if claimed.count == batch.count { signal { $0.queueChanged = true } }
                if !claimed.isEmpty {
                    events.publish(claimed.map {
                        .rollout(RolloutChange(rolloutID: $0.rollout.rolloutID, jobID: $0.rollout.jobID, status: .preparing, finalReward: nil, mode: $0.rollout.mode))
                    })
                }
            } catch {
                logger.warning("dequeue failed", metadata: ["store.error": "\(error)"])
                for waiter in batch { served[waiter.id] = .failure(error) }
            }
        }
        let now = ContinuousClock.now
        let batchIDs = Set(batch.map(\.id))
        let finished = state.withLock { state -> [(Waiter, Result<ClaimedRollout?, any Error>)] in
            var finished: [(Waiter, Result<ClaimedRollout?, any Error>)] = []
            state.waiters.removeAll { waiter in
                // A waiter that arrived during this claim has not had its chance yet.
                guard waiter.tried || batchIDs.contains(waiter.id) else { return false }
                switch served[waiter.id] {
                case .success(let claim?)?:
                    finished.append((waiter, .success(claim)))
                    return true
                case .failure(let error)?:
                    finished.append((waiter, .failure(error)))
                    return true
                default:
                    guard waiter.deadline <= now else { return false }
                    finished.append((waiter, .success(nil)))
                    return true
                }
            }
            for index in state.waiters.indices where batchIDs.contains(state.waiters[index].id) {
                state.waiters[index].tried = true
            }
            return finished
        }
        for (waiter, result) in finished { waiter.continuation.resume(with: result) }
    }
}
