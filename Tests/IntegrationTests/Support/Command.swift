import Foundation
import LightningCore

/// Runs a command to completion with `posix_spawn` and `waitpid` on a dispatch thread. Foundation's
/// `Process` is not used for this: it can keep waiting while a daemon the command started (PostgreSQL)
/// lives on.
enum Command {
    /// Runs to completion; standard output and error go to `outputPath` (or nowhere).
    static func run(_ path: String, _ arguments: [String], environment: [String: String], outputPath: String? = nil) async throws -> Int32 {
        let argv = [path] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var pid: pid_t = 0
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                if outputPath != nil { posix_spawn_file_actions_adddup2(&actions, 1, 2) }
                defer { posix_spawn_file_actions_destroy(&actions) }
                let cArguments = argv.map { strdup($0) } + [nil]
                let cEnvironment = envp.map { strdup($0) } + [nil]
                defer {
                    cArguments.forEach { free($0) }
                    cEnvironment.forEach { free($0) }
                }
                let spawned = posix_spawn(&pid, path, &actions, nil, cArguments, cEnvironment)
                guard spawned == 0 else {
                    continuation.resume(throwing: LightningError(.internal, "cannot start \(path): errno \(spawned)"))
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: (status >> 8) & 0xFF)
            }
        }
    }
}

/// Runs a Python script (its source given inline) and returns its exit status and combined output.
enum Python {
    static func run(_ source: String, environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let directory = NSTemporaryDirectory() + "lt-py-" + Identifier.make("")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = directory + "/script.py"
        let output = directory + "/output.txt"
        try source.write(toFile: script, atomically: true, encoding: .utf8)
        let interpreter = try resolvePython()
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        let status = try await Command.run(interpreter, [script], environment: env, outputPath: output)
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// The `python3` on PATH, as the shell would find it.
    private static func resolvePython() throws -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw LightningError(.notFound, "python3 is not on PATH")
    }
}
