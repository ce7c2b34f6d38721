import LightningCore
import Logging
import PostgresNIO

/// A schema change, applied once, in order, inside a transaction.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: [String]
}

/// Applies the numbered migrations at start-up. Replicas that start together take turns through an
/// advisory lock, so each migration runs exactly once.
enum Migrations {
    static let lockKey: Int64 = 0x4C49_4748_544E  // "LIGHTN"

    static let all: [Migration] = [Migration0001.migration, Migration0002.migration]

    /// Applies what is missing; returns the versions applied now.
    @discardableResult
    static func apply(_ database: Database) async throws(LightningError) -> [Int] {
        try await database.transaction("migrate") { connection in
            let logger = database.logger
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: logger
            )
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            var now: [Int] = []
            for migration in all where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                )
                logger.info("applied migration", metadata: ["store.migration": "\(migration.version) \(migration.name)"])
                now.append(migration.version)
            }
            return now
        }
    }
}
