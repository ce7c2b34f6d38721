import Foundation
import LightningCore

/// Runs the built `lightning-ctl` executable, as a person or a script would, and collects what it
/// printed and how it exited.
enum Ctl {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double

        /// Stdout as a JSON document.
        func json() throws -> JSONValue {
            try JSONText(unchecked: stdout).value()
        }

        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// Runs `lightning-ctl ARGUMENTS` against `store` (through LIGHTNING_STORE), with `input` on stdin.
    static func run(_ arguments: [String], store: TestStore? = nil, input: String = "", environment: [String: String] = [:]) async throws -> Result {
        let directory = NSTemporaryDirectory() + "lt-ctl-" + Identifier.make("")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = (stdin: directory + "/stdin", stdout: directory + "/stdout", stderr: directory + "/stderr")
        try input.write(toFile: paths.stdin, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: paths.stdout, contents: nil)
        FileManager.default.createFile(atPath: paths.stderr, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try StoreProcess.executable("lightning-ctl"))
        process.arguments = arguments
        var values = ProcessInfo.processInfo.environment
        values["LIGHTNING_STORE"] = store?.requestEndpoint
        values.merge(environment) { _, new in new }
        process.environment = values
        process.standardInput = FileHandle(forReadingAtPath: paths.stdin)
        process.standardOutput = FileHandle(forWritingAtPath: paths.stdout)
        process.standardError = FileHandle(forWritingAtPath: paths.stderr)
        let started = ContinuousClock.now
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let elapsed = ContinuousClock.now - started
        return Result(
            status: status,
            stdout: (try? String(contentsOfFile: paths.stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: paths.stderr, encoding: .utf8)) ?? "",
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        )
    }
}
