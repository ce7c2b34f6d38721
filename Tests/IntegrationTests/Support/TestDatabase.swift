import Foundation
import LightningCore
import Logging
import PostgresNIO
import Testing

/// A fresh database for one test, created in the PostgreSQL that `DATABASE_URL` names (the private one
/// `make test` starts), so tests run in parallel without seeing each other's rollouts.
struct TestDatabase: Sendable {
    let url: String
    let name: String
    let server: URLComponents

    static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw LightningError(.unavailable, "DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL")
        }
        return url
    }

    static func create(baseURL: String? = nil) async throws -> TestDatabase {
        let base = try baseURL ?? Self.baseURL()
        guard var components = URLComponents(string: base) else { throw LightningError(.badRequest, "bad DATABASE_URL \(base)") }
        let name = "lt_" + Identifier.make("").replacingOccurrences(of: "-", with: "")
        try await admin(components) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "test"))
        }
        components.path = "/" + name
        return TestDatabase(url: components.string!, name: name, server: components)
    }

    func drop() async {
        let name = self.name
        try? await Self.admin(server) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: Logger(label: "test"))
        }
    }

    /// Runs SQL on the server's `postgres` database.
    static func admin(_ components: URLComponents, _ body: (PostgresConnection) async throws -> Void) async throws {
        try await connect(components, database: "postgres", body)
    }

    /// Runs `body` on a connection of its own to this database (to hold locks across statements, say).
    func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await Self.connect(server, database: name, body)
    }

    /// Runs one query on this database and returns its rows.
    func rows(_ sql: String) async throws -> [PostgresRow] {
        try await withConnection { connection in
            var rows: [PostgresRow] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test")) { rows.append(row) }
            return rows
        }
    }

    /// Connects to `database` on the server of `components`, runs `body` and closes the connection.
    private static func connect<Result: Sendable>(
        _ components: URLComponents, database: String, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let configuration = PostgresConnection.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database, tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "test"))
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
