import ArgumentParser
import Foundation
import LightningCore

/// `lightning-ctl resources [ID]`: the resources rollouts run with (the latest by default).
struct ResourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resources",
        abstract: "Show the latest resources (model endpoint, weights version, prompt template), or those with an id."
    )

    @OptionGroup var options: StoreOptions

    @Argument(help: "A resources id (default: the latest)")
    var resourcesID: String?

    @Flag(help: "Print the resources as JSON (null when none were published)")
    var json = false

    func run() async throws {
        let resources = try await options.withClient { client -> Resources? in
            if let resourcesID { return try await client.getResources(resourcesID: resourcesID) }
            return try await client.getLatestResources()
        }
        if json { return try Output.json(resources?.json ?? .null) }
        guard let resources else { return print("no resources published yet") }
        print("resources  \(resources.resourcesID)")
        print("version    \(resources.version)")
        print("created    \(Format.date(resources.createdAt))")
        for (name, entry) in resources.entries.sorted(by: { $0.key < $1.key }) {
            print("\(name.padding(toLength: max(10, name.count), withPad: " ", startingAt: 0)) \(entry.text)")
        }
    }
}
