import ArgumentParser
import LightningModel

@main
struct LightningAlgorithmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lightning-algorithm",
        abstract: "The algorithm service of Agent Lightning: the OpenAI-compatible model host (and the trainer).",
        subcommands: [ServeCommand.self, TrainCommand.self, ExportCommand.self]
    )

    /// Runs the command, first restarting once with OpenBLAS's fast kernels where it would pick generic ones.
    static func main() async {
        BLASKernelSelection.reexecIfNeeded()
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
