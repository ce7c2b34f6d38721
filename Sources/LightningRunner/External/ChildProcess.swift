import Dispatch
import Foundation
import LightningCore

/// One external agent process: started in a process group of its own (so a timeout kills everything it
/// started), fed its input on stdin, with stdout and stderr kept in bounded buffers. Reading and waiting
/// happen on dispatch threads, never on Swift's cooperative pool.
final class ChildProcess: Sendable {
    let pid: pid_t
    private let output: Locked<(stdout: BoundedBuffer, stderr: BoundedBuffer)>
    private let exit: Locked<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>
    private let drained = DispatchGroup()
    private static let spawnLock = Locked(())

    /// Starts `/bin/sh -c command` with `environment` and writes `input` to its stdin.
    init(command: String, environment: [String: String], input: [UInt8], outputLimit: Int) throws(LightningError) {
        var stdinPipe: [Int32] = [0, 0], stdoutPipe: [Int32] = [0, 0], stderrPipe: [Int32] = [0, 0]
        // Close-on-exec, and one spawn at a time: agents started together must not inherit each other's
        // pipes (a pipe held open by another process never reaches end of file).
        let created = Self.spawnLock.withLock { _ -> Bool in
            guard pipe(&stdinPipe) == 0, pipe(&stdoutPipe) == 0, pipe(&stderrPipe) == 0 else { return false }
            for descriptor in stdinPipe + stdoutPipe + stderrPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
            return true
        }
        guard created else { throw LightningError(.internal, "cannot create pipes for the agent: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        for descriptor in stdinPipe + stdoutPipe + stderrPipe { posix_spawn_file_actions_addclose(&actions, descriptor) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let environmentList: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            arguments.forEach { free($0) }
            environmentList.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = Self.spawnLock.withLock { _ in posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, environmentList) }
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard result == 0 else {
            [stdinPipe[1], stdoutPipe[0], stderrPipe[0]].forEach { close($0) }
            throw LightningError(.internal, "cannot start the agent command: errno \(result)")
        }
        self.pid = pid
        output = Locked((BoundedBuffer(capacity: outputLimit), BoundedBuffer(capacity: outputLimit)))
        exit = Locked((nil, []))
        Self.write(input, to: stdinPipe[1])
        drain(stdoutPipe[0]) { $0.stdout.append($1) }
        drain(stderrPipe[0]) { $0.stderr.append($1) }
        reap()
    }

    /// Writes the input and closes stdin, on a dispatch thread (a child that does not read must not block us).
    private static func write(_ input: [UInt8], to descriptor: Int32) {
        DispatchQueue.global().async {
            signal(SIGPIPE, SIG_IGN)
            var offset = 0
            while offset < input.count {
                let written = input[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
            close(descriptor)
        }
    }

    private func drain(
        _ descriptor: Int32, into keep: @escaping @Sendable (inout (stdout: BoundedBuffer, stderr: BoundedBuffer), ArraySlice<UInt8>) -> Void
    ) {
        drained.enter()
        DispatchQueue.global().async { [output, drained] in
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                output.withLock { keep(&$0, chunk[0..<count]) }
            }
            close(descriptor)
            drained.leave()
        }
    }

    private func reap() {
        DispatchQueue.global().async { [pid, exit, drained] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            // Output written just before exiting is still in the pipes: read it all before reporting.
            _ = drained.wait(timeout: .now() + 2)
            let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -(status & 0x7F)
            let waiters = exit.withLock { state in
                state.status = code
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            waiters.forEach { $0.resume(returning: code) }
        }
    }

    /// Waits for the process to end: its exit code, or minus the signal that killed it.
    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let done = exit.withLock { state -> Int32? in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    var hasExited: Bool { exit.withLock { $0.status != nil } }

    /// Signals the whole process group (the shell, the agent, and anything the agent started).
    func signalGroup(_ signal: Int32) {
        kill(-pid, signal)
    }

    /// Asks the group to stop, and kills it if it has not after `grace`.
    func terminate(grace: Duration = .seconds(2)) async {
        guard !hasExited else { return }
        signalGroup(SIGTERM)
        let deadline = ContinuousClock.now.advanced(by: grace)
        while !hasExited, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if !hasExited { signalGroup(SIGKILL) }
        _ = await wait()
    }

    var stdout: BoundedBuffer { output.withLock { $0.stdout } }
    var stderr: BoundedBuffer { output.withLock { $0.stderr } }
}
