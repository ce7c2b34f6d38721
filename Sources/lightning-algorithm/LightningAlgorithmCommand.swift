import ArgumentParser

@main
struct LightningAlgorithmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lightning-algorithm",
        abstract: "The algorithm service of Agent Lightning: the OpenAI-compatible model host (and the trainer).",
        subcommands: [ServeCommand.self, TrainCommand.self]
    )
}
