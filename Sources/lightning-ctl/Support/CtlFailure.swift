/// The exit codes of lightning-ctl, documented in its help and the README.
enum CtlExit: Int32 {
    case ok = 0
    /// The command ran but what it reports failed: a watched job failed or was cancelled.
    case failure = 1
    /// A bad option, input file or training config.
    case usage = 2
    /// The store did not answer within the timeout, or answered that it cannot serve now.
    case unreachable = 3
    /// A rollout, job or resources id does not exist.
    case notFound = 4
}

/// Ends a command with a one-line message on stderr and a documented exit code.
struct CtlFailure: Error {
    var exit: CtlExit
    var message: String

    init(_ exit: CtlExit, _ message: String) {
        self.exit = exit
        self.message = message
    }

    static func usage(_ message: String) -> CtlFailure { CtlFailure(.usage, message) }
}
