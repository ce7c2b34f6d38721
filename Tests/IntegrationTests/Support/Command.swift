import Foundation
import LightningCore

/// Runs a command to completion with `posix_spawn` and `waitpid` on a dispatch thread. Foundation's
/// `Process` is not used for this: it can keep waiting while a daemon the command started (PostgreSQL)
/// lives on.
enum Command {
    static func run(_ path: String, _ arguments: [String], environment: [String: String]) async throws -> Int32 {
        let argv = [path] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var pid: pid_t = 0
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
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
