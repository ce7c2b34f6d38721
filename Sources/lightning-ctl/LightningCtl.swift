import ArgumentParser
import Foundation

@main
struct LightningCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lightning-ctl",
        abstract: "Drive and inspect Agent Lightning: submit tasks, start training jobs, watch them, read rollouts and spans.",
        discussion: """
            Exit codes: 0 ok, 1 failure (a watched job failed or was cancelled), 2 usage error (bad option, \
            input or config), 3 store unreachable, 4 not found.
            """,
        subcommands: [
            SubmitCommand.self, TrainCommand.self, JobsCommand.self, JobCommand.self, WatchCommand.self,
            RolloutsCommand.self, RolloutCommand.self, SpansCommand.self, ResourcesCommand.self, WorkersCommand.self,
            ExportCommand.self, DatasetCommand.self, KeygenCommand.self,
        ]
    )

    /// Parses and runs the command, turning every error into one line on stderr and a documented exit
    /// code (ArgumentParser alone would exit 64 on usage errors and print Swift error descriptions).
    static func main() async {
        let status: Int32
        do {
            var command = try parseAsRoot(GlobalOptions.reorder(Array(CommandLine.arguments.dropFirst())))
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            status = CtlExit.ok.rawValue
        } catch let failure as CtlFailure {
            Output.error(failure.message)
            status = failure.exit.rawValue
        } catch let exit as ExitCode where exit != .validationFailure {
            status = exit.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))  // --help, --version
                status = 0
            } else if code == .validationFailure {
                FileHandle.standardError.write(Data("\(fullMessage(for: error))\n".utf8))
                status = CtlExit.usage.rawValue
            } else {
                Output.error(fullMessage(for: error))
                status = code == .failure ? CtlExit.failure.rawValue : code.rawValue
            }
        }
        // ZeroMQ's threads may still be winding down; they hold nothing that must be flushed.
        Foundation.exit(status)
    }
}
