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
    let logger: Logger
    let timeout: Duration
    /// The one event loop every connection of this pool runs on; see `EventLoopTaskExecutor`.
    let eventLoop: any EventLoop

    public init(url: String, maxConnections: Int = 16, timeout: Duration = .seconds(10), logger: Logger) throws(LightningError) {
        let group = MultiThreadedEventLoopGroup.singletonOneThread
        self.eventLoop = group.next()
        self.client = PostgresClient(
            configuration: try DatabaseURL.configuration(url, maxConnections: maxConnections), eventLoopGroup: group, backgroundLogger: logger
        )
        self.logger = logger
        self.timeout = timeout
    }

    /// Runs the connection pool until the surrounding task is cancelled.
    public func run() async {
        await client.run()
    }

    /// Runs `body` on a pooled connection within the deadline.
    func withConnection<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(LightningError) -> Result {
        try await withDeadline(operation) { [client] in
            try await client.withConnection { connection in try await body(connection) }
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

    private func withDeadline<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable () async throws -> Result
    ) async throws(LightningError) -> Result {
        let timeout = self.timeout
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw LightningError(.unavailable, "the database did not answer within \(timeout) (\(operation))")
                }
                return result
            }
        } catch {
            throw DatabaseError.map(error, operation: operation)
        }
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
