import Foundation
import LightningCore

/// A built service executable (`lightning-runner`, `lightning-algorithm`) as a child process, for
/// kill -9 and SIGTERM tests.
final class ServiceProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in init and only signalled afterwards.
    let logPath: String
    private let process: Process

    /// `namespace`: run it inside that network namespace (a simulated machine, see scripts/netns.sh).
    init(
        _ executable: String = "lightning-runner", storeEndpoint: String, arguments: [String], environment: [String: String] = [:],
        namespace: String? = nil
    ) throws {
        logPath = NSTemporaryDirectory() + "lt-\(executable)-\(Identifier.make("")).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        try process.launch(StoreProcess.executable(executable), arguments + ["--store", storeEndpoint], namespace: namespace)
        var values = ProcessInfo.processInfo.environment
        values["LIGHTNING_LOG_LEVEL"] = "debug"
        values.merge(environment) { _, new in new }
        process.environment = values
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    /// A test that fails before it stops its runner must not leave it running (it would retry a store
    /// that is gone for ever).
    deinit {
        if !hasExited { kill() }
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func terminate() { process.terminate() }

    func kill() { Foundation.kill(process.processIdentifier, SIGKILL) }

    /// Waits until the process has ended. Read from /proc: Foundation may notice the exit late when the
    /// runner's agents (which live on in process groups of their own) still hold descriptors it inherited.
    func waitForExit(timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !hasExited, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return hasExited
    }

    private var hasExited: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return true
        }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}

extension Process {
    /// Runs `path` directly, or through `ip netns exec`, which execs it in place: the pid stays the
    /// program's own, so signals reach it.
    func launch(_ path: String, _ arguments: [String], namespace: String?) {
        if let namespace {
            executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            self.arguments = ["netns", "exec", namespace, path] + arguments
        } else {
            executableURL = URL(fileURLWithPath: path)
            self.arguments = arguments
        }
    }
}
