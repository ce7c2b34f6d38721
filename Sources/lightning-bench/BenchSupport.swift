import Foundation
import Logging
import PostgresNIO

/// A fresh database for one benchmark run.
struct BenchDatabase {
    let url: String
    let name: String
    private let components: URLComponents

    static func create(baseURL: String) async throws -> BenchDatabase {
        guard var components = URLComponents(string: baseURL) else { throw BenchError("bad database URL \(baseURL)") }
        let name = "bench_\(UInt32.random(in: 0...UInt32.max))"
        try await admin(components, "CREATE DATABASE \(name)")
        components.path = "/" + name
        return BenchDatabase(url: components.string!, name: name, components: components)
    }

    func drop() async {
        try? await Self.admin(components, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    private static func admin(_ components: URLComponents, _ sql: String) async throws {
        let configuration = PostgresConnection.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: "postgres", tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "bench"))
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "bench"))
        try await connection.close()
    }
}

/// A `lightning-store` process listening on an ipc endpoint.
final class StoreChild {
    let endpoint: String
    let pid: Int32
    private let process: Process

    init(binary: String, databaseURL: String, name: String, httpPort: Int = 0) throws {
        endpoint = "ipc://\(NSTemporaryDirectory())\(name)-requests"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var environment = ProcessInfo.processInfo.environment
        environment["LIGHTNING_DATABASE_URL"] = databaseURL
        environment["LIGHTNING_STORE_ENDPOINT"] = endpoint
        environment["LIGHTNING_EVENTS_ENDPOINT"] = "ipc://\(NSTemporaryDirectory())\(name)-events"
        environment["LIGHTNING_HTTP_HOST"] = "127.0.0.1"
        environment["LIGHTNING_HTTP_PORT"] = "\(httpPort)"
        environment["LIGHTNING_LOG_LEVEL"] = "warning"
        process.environment = environment
        try process.run()
        self.process = process
        self.pid = process.processIdentifier
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
