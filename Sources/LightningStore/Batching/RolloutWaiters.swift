import LightningCore

/// Serves `wait_for_rollouts`: a waiter is answered as soon as all its rollouts have ended (learned from
/// rollout events) or its deadline passes. A periodic look at the database catches endings that no
/// event reported (events from other replicas are best-effort).
final class RolloutWaiters: Sendable {
    private struct Waiter {
        var ids: [String]
        var remaining: Set<String>
        var deadline: ContinuousClock.Instant
        /// Attached once the first look at the database is done; only then can the waiter be answered.
        var continuation: CheckedContinuation<[Rollout], any Error>?
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
        var stopped = false
    }

    private let database: Database
    private let events: EventBus
    private let pollInterval: Duration
    private let state = Locked(State())

    init(database: Database, events: EventBus, pollInterval: Duration) {
        self.database = database
        self.events = events
        self.pollInterval = pollInterval
    }

    func wait(for ids: [String], timeout: Duration) async throws -> [Rollout] {
        guard !ids.isEmpty else { return [] }
        // Registered before looking at the database, so that an ending in between is not missed.
        let id = try state.withLock { state throws(LightningError) -> UInt64 in
            guard !state.stopped else { throw LightningError(.unavailable, "the store is shutting down") }
            state.nextID += 1
            state.waiters[state.nextID] = Waiter(ids: ids, remaining: Set(ids), deadline: .now.advanced(by: timeout))
            return state.nextID
        }
        do {
            let ended = try await PostgresStore.endedRollouts(ids, database: database)
            markEnded(Set(ended.map(\.rolloutID)))
        } catch {
            state.withLock { _ = $0.waiters.removeValue(forKey: id) }
            throw error
        }
        return try await withCheckedThrowingContinuation { continuation in
            let attached = state.withLock { state -> Bool in
                guard state.waiters[id] != nil else { return false }
                state.waiters[id]?.continuation = continuation
                return true
            }
            if !attached { continuation.resume(throwing: LightningError(.unavailable, "the store is shutting down")) }
        }
    }

    private func markEnded(_ ended: Set<String>) {
        guard !ended.isEmpty else { return }
        state.withLock { state in
            for key in state.waiters.keys { state.waiters[key]?.remaining.subtract(ended) }
        }
    }

    /// Refuses new waiters and lets the resolving loop answer the current ones at once, with what has
    /// ended so far.
    func release() {
        state.withLock { state in
            state.stopped = true
            let now = ContinuousClock.now
            for key in state.waiters.keys { state.waiters[key]?.deadline = now }
        }
    }

    /// Resolves waiters until cancelled; then answers each with what has ended so far.
    func run() async {
        let subscription = events.subscribe { [weak self] events, _ in
            var ended = Set<String>()
            for case .rollout(let change) in events where change.status.isTerminal { ended.insert(change.rolloutID) }
            self?.markEnded(ended)
        }
        defer { events.unsubscribe(subscription) }
        var sincePoll = Duration.zero
        let step = Duration.milliseconds(20)
        while !Task.isCancelled {
            try? await Task.sleep(for: step)
            sincePoll += step
            if sincePoll >= pollInterval {
                sincePoll = .zero
                await poll()
            }
            await resolve(all: false)
        }
        state.withLock { state in
            state.stopped = true
            // Waiters still looking at the database find themselves gone and report the shutdown.
            state.waiters = state.waiters.filter { $0.value.continuation != nil }
        }
        await resolve(all: true)
    }

    /// Looks at the database for the rollouts that waiters still wait on.
    private func poll() async {
        let ids = state.withLock { state in Array(Set(state.waiters.values.flatMap(\.remaining))) }
        guard !ids.isEmpty, let ended = try? await PostgresStore.endedRollouts(ids, database: database) else { return }
        markEnded(Set(ended.map(\.rolloutID)))
    }

    private func resolve(all: Bool) async {
        let now = ContinuousClock.now
        let ready = state.withLock { state -> [Waiter] in
            let keys = state.waiters.compactMap { key, waiter in
                waiter.continuation != nil && (all || waiter.remaining.isEmpty || waiter.deadline <= now) ? key : nil
            }
            return keys.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in ready {
            do {
                let ended = try await PostgresStore.endedRollouts(waiter.ids, database: database)
                let order = Dictionary(waiter.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: min)
                waiter.continuation?.resume(returning: ended.sorted { order[$0.rolloutID, default: 0] < order[$1.rolloutID, default: 0] })
            } catch {
                waiter.continuation?.resume(throwing: error)
            }
        }
    }
}
