import Foundation
import LightningCore

/// A PostgreSQL server of a test's own (through scripts/pg.sh), for tests that stop and start the
/// database without disturbing the shared one.
struct PrivatePostgres: Sendable {
    let directory: String
    let port: Int
    /// The network namespace it runs in (scripts/netns.sh), or nil for this machine's.
    var namespace: String?

    init(namespace: String? = nil) {
        self.namespace = namespace
        directory = NSTemporaryDirectory() + "lt-pg-" + Identifier.make("")
        // Below the ephemeral range, so the port is still free when a test restarts the server.
        port = (try? restartablePort()) ?? Int.random(in: 20_000...32_000)
    }

    var url: String { "postgres://postgres@127.0.0.1:\(port)/lightning" }

    func start() async throws { try await script("start") }
    func stop() async throws { try await script("stop") }

    func destroy() async {
        try? await stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func script(_ command: String) async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var environment = ProcessInfo.processInfo.environment
        environment["LIGHTNING_PG_DIR"] = directory
        environment["LIGHTNING_PG_PORT"] = String(port)
        let script = root.appendingPathComponent("scripts/pg.sh").path
        let status = if let namespace {
            try await Command.run("/usr/sbin/ip", ["netns", "exec", namespace, script, command], environment: environment)
        } else {
            try await Command.run(script, [command], environment: environment)
        }
        guard status == 0 else {
            throw LightningError(.unavailable, "scripts/pg.sh \(command) failed with status \(status)")
        }
    }
}
