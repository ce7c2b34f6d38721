import Foundation
import LightningCore
import PostgresNIO

/// Reads a `postgres://user:password@host:port/database?sslmode=…` URL into a client configuration.
/// `sslmode=disable` (the default on loopback) turns TLS off, `require` demands it, anything else prefers it.
public enum DatabaseURL {
    /// `settings` are sent as run-time parameters when each connection starts.
    public static func configuration(
        _ text: String, maxConnections: Int, settings: [(String, String)] = []
    ) throws(LightningError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else {
            throw LightningError(.badRequest, "the database URL must look like postgres://user:password@host:port/database")
        }
        let user = components.user.map { $0.removingPercentEncoding ?? $0 } ?? "postgres"
        let password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let database = components.path.hasPrefix("/") && components.path.count > 1 ? String(components.path.dropFirst()) : nil
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let host = components.host ?? "127.0.0.1"
        let isLoopback = host == "127.0.0.1" || host == "localhost" || host == "::1"
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? (isLoopback ? "disable" : "prefer") {
        case "disable": tls = .disable
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: password, database: database, tls: tls
        )
        configuration.options.maximumConnections = maxConnections
        configuration.options.minimumConnections = min(2, maxConnections)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [("application_name", "lightning-store")] + settings
        return configuration
    }

    /// The URL with `password` in place of its own (`LIGHTNING_DATABASE_PASSWORD`, kept out of the URL so that
    /// it can come from a secret file and need no percent-encoding).
    public static func setting(password: String, in text: String) -> String {
        guard var components = URLComponents(string: text) else { return text }
        if components.user == nil { components.user = "postgres" }
        components.password = password
        return components.string ?? text
    }

    /// The URL without its password, for logs.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "(unparseable URL)" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "(unparseable URL)"
    }
}
