import LightningCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The store's PostgreSQL access: a connection pool, a deadline on every operation (so calls fail with
/// a clear `unavailable` error while the database is away instead of hanging), transactions retried on
/// serialization failures and deadlocks, and errors mapped to `LightningError`.
public final class Database: Sendable {
    let client: PostgresClient
    /// The pool for the hot prepared statements (`execute`), whose connections always use the generic
    /// plan. Left to choose, PostgreSQL planned the transition statements afresh on most calls (their
    /// generic plans look dearer to it than the custom ones): 2,600 plans in 5,100 calls in a 20,000-rollout
    /// benchmark run. The other queries keep custom plans: their optional filters need the parameters'
    /// values. A hot statement is written so that one plan fits every call (see the claim's `ANY` clause).
    let hotClient: PostgresClient
    private let poolsStarted = Locked(0)
    let logger: Logger
    let timeout: Duration
    /// The one event loop every connection of this pool runs on; see `EventLoopTaskExecutor`.
    let eventLoop: any EventLoop
    /// Runs database work on `eventLoop` (see `withDeadline`).
    private let executor: EventLoopTaskExecutor

    /// `maxConnections` is shared between the two pools.
    public init(url: String, maxConnections: Int = 16, timeout: Duration = .seconds(10), logger: Logger) throws(LightningError) {
        let group = MultiThreadedEventLoopGroup.singletonOneThread
        self.eventLoop = group.next()
        self.executor = EventLoopTaskExecutor(eventLoop: eventLoop)
        let hotConnections = max(1, maxConnections / 2)
        self.client = PostgresClient(
            configuration: try DatabaseURL.configuration(url, maxConnections: max(1, maxConnections - hotConnections)),
            eventLoopGroup: group, backgroundLogger: logger
        )
        self.hotClient = PostgresClient(
            configuration: try DatabaseURL.configuration(
                url, maxConnections: hotConnections, settings: [("plan_cache_mode", "force_generic_plan")]
            ),
            eventLoopGroup: group, backgroundLogger: logger
        )
        self.logger = logger
        self.timeout = timeout
    }

    /// Runs the connection pools until the surrounding task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for pool in [client, hotClient] {
                group.addTask {
                    self.poolsStarted.withLock { $0 += 1 }
                    await pool.run()
                }
            }
        }
    }

    /// Returns once `run()` is about to start both pools (or the task is cancelled). A lease asked for
    /// before a pool runs waits anyway, but PostgresNIO logs a warning for it; start-up work (the
    /// migrations) waits here instead, which makes the warning rare rather than impossible: the counter
    /// moves just before each pool's `run()`, which marks the pool running first thing.
    func waitUntilRunning() async {
        while poolsStarted.withLock({ $0 }) < 2, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(1))
        }
        await Task.yield()
    }

    /// Runs `body` on a pooled connection (of the hot pool if `hot`) within the deadline.
    func withConnection<Result: Sendable>(
        _ operation: String, hot: Bool = false, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(LightningError) -> Result {
        let pool = hot ? hotClient : client
        return try await withDeadline(operation) {
            try await pool.withConnection { connection in try await body(connection) }
        }
    }

    /// Runs `body` in a transaction within the deadline; retries up to three times when PostgreSQL
    /// reports a serialization failure or deadlock.
    func transaction<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(LightningError) -> Result {
        try await withDeadline(operation) { [client, logger] in
            var attempt = 0
            while true {
                attempt += 1
                do {
                    return try await client.withConnection { connection in
                        try await connection.query("BEGIN", logger: logger)
                        do {
                            let result = try await body(connection)
                            try await connection.query("COMMIT", logger: logger)
                            return result
                        } catch {
                            _ = try? await connection.query("ROLLBACK", logger: logger)
                            throw error
                        }
                    }
                } catch where attempt < 4 && DatabaseError.isRetryable(error) {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 1...5) * attempt))
                }
            }
        }
    }

    /// One statement in its own implicit transaction; rows are collected.
    func query(_ operation: String, _ query: PostgresQuery) async throws(LightningError) -> [PostgresRow] {
        try await withConnection(operation) { [logger] connection in
            try await connection.query(query, logger: logger).collect()
        }
    }

    /// Runs `body` and answers within `timeout` whatever `body` does. Not a task group: a group waits for
    /// every child, and a pool lease or query that ignores cancellation (seen after a PostgreSQL restart)
    /// would hold the request for ever. Here the caller is answered at the deadline and `body` is
    /// cancelled and left to end on its own.
    private func withDeadline<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable () async throws -> Result
    ) async throws(LightningError) -> Result {
        let timeout = self.timeout, executor = self.executor
        let race = DeadlineRace<Result>()
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    race.start(continuation, executor: executor, timeout: timeout, work: body) {
                        LightningError(.unavailable, "the database did not answer within \(timeout) (\(operation))")
                    }
                }
            } onCancel: {
                race.cancel()
            }
        } catch {
            throw DatabaseError.map(error, operation: operation)
        }
    }
}

/// The first of the work's outcome, the deadline and cancellation answers the caller, once.
private final class DeadlineRace<Result: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        var cancelled = false
    }

    private let state = Locked(State())

    /// Runs `work` on `executor`; the work task reports its own outcome, so a call costs two tasks.
    func start(
        _ continuation: CheckedContinuation<Result, any Error>, executor: some TaskExecutor, timeout: Duration,
        work: @escaping @Sendable () async throws -> Result, timeoutError: @escaping @Sendable () -> any Error
    ) {
        state.withLock { $0.continuation = continuation }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { self?.finish(.failure(timeoutError())) }
        }
        let task = Task(executorPreference: executor) { [weak self] in
            let outcome: Swift.Result<Result, any Error>
            do { outcome = .success(try await work()) } catch { outcome = .failure(error) }
            self?.finish(outcome)
        }
        let (cancelledEarly, finishedEarly) = state.withLock { state in
            state.work = task
            state.timer = timer
            return (state.cancelled, state.continuation == nil)
        }
        if finishedEarly { timer.cancel() }
        if cancelledEarly { finish(.failure(CancellationError())) }
    }

    func cancel() {
        let started = state.withLock { state -> Bool in
            state.cancelled = true
            return state.continuation != nil
        }
        if started { finish(.failure(CancellationError())) }
    }

    private func finish(_ outcome: Swift.Result<Result, any Error>) {
        let (continuation, work, timer) = state.withLock { state in
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.timer)
        }
        guard let continuation else { return }
        timer?.cancel()
        if case .failure = outcome { work?.cancel() }
        continuation.resume(with: outcome)
    }
}

extension PostgresRowSequence {
    func collect() async throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        for try await row in self { rows.append(row) }
        return rows
    }
}

extension MultiThreadedEventLoopGroup {
    /// A process-wide group of one thread for the store's database connections and tasks.
    static let singletonOneThread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
}
