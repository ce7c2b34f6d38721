import Foundation
import LightningCore
import Testing

/// The built `lightning-store` executable run as a child process, for tests that need separate
/// processes (replicas, kill -9).
final class StoreProcess: @unchecked Sendable {
    // @unchecked: `process` is created in init and only signalled afterwards; Process is thread-safe for that.
    let requestEndpoint: String
    let eventEndpoint: String
    let logPath: String
    private let process: Process

    /// Starts a store on `databaseURL` listening on ipc endpoints named after `name`, or on TCP ports
    /// `tcpPort` (requests) and `tcpPort + 1` (events) of `host`, the layout services find by themselves;
    /// inside network namespace `namespace` when given.
    init(
        databaseURL: String, name: String, tcpPort: Int? = nil, host: String = "127.0.0.1", namespace: String? = nil,
        extraEnvironment: [String: String] = [:]
    ) throws {
        let directory = NSTemporaryDirectory()
        requestEndpoint = tcpPort.map { "tcp://\(host):\($0)" } ?? "ipc://\(directory)lt-\(name)-requests"
        eventEndpoint = tcpPort.map { "tcp://\(host):\($0 + 1)" } ?? "ipc://\(directory)lt-\(name)-events"
        logPath = "\(directory)lt-\(name).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        try process.launch(Self.executable("lightning-store"), [], namespace: namespace)
        var environment = ProcessInfo.processInfo.environment
        environment.merge([
            "LIGHTNING_DATABASE_URL": databaseURL,
            "LIGHTNING_STORE_ENDPOINT": requestEndpoint,
            "LIGHTNING_EVENTS_ENDPOINT": eventEndpoint,
            "LIGHTNING_HTTP_HOST": "127.0.0.1",
            "LIGHTNING_HTTP_PORT": "0",
            "LIGHTNING_WATCHDOG_INTERVAL": "0.1",
            "LIGHTNING_DATABASE_CONNECTIONS": "6",
            "LIGHTNING_LOG_LEVEL": "info",
        ]) { _, new in new }
        environment.merge(extraEnvironment) { _, new in new }
        process.environment = environment
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    var isRunning: Bool { process.isRunning }

    /// SIGTERM, then waits for the process to end; a store still up after 60 s is a failure (and is
    /// killed, so that one hung store cannot hold the whole test run).
    func stop() async {
        process.terminate()
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            Issue.record("lightning-store did not stop within 60 s of SIGTERM:\n\(log.suffix(2000))")
            await kill()
        }
    }

    /// SIGKILL: the process gets no chance to flush or answer anything.
    func kill() async {
        Foundation.kill(process.processIdentifier, SIGKILL)
        await waitForExit()
    }

    private func waitForExit() async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// An executable built next to the test bundle (`swift build --build-tests` builds them all).
    static func executable(_ name: String) throws -> String {
        let bundleDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [bundleDirectory.appendingPathComponent(name), packageRoot.appendingPathComponent(".build/debug/\(name)")]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw LightningError(.notFound, "\(name) is not built; `make test` builds it (looked in \(candidates.map(\.path)))")
        }
        return found.path
    }
}
