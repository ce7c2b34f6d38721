import ArgumentParser
import LightningClient
import LightningCore

/// `lightning-ctl spans ROLLOUT_ID`: the spans of a rollout in store order, with their attributes.
struct SpansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spans", abstract: "List the spans of a rollout in store order.")

    @OptionGroup var options: StoreOptions

    @Argument(help: "The rollout id")
    var rolloutID: String

    @Option(help: "all, latest, or an attempt id")
    var attempt = "all"

    @Option(help: "Only spans with this name")
    var name: String?

    @Flag(help: "Print the spans as one JSON array")
    var json = false

    func run() async throws {
        let filter: SpanQuery.AttemptFilter = attempt == "all" ? .all : attempt == "latest" ? .latest : .id(attempt)
        let spans = try await options.withClient { client in
            // Reading the rollout first turns an unknown id into "not found" even when it has no spans.
            _ = try await client.getRollout(rolloutID: rolloutID)
            return try await Self.allSpans(client, SpanQuery(rolloutID: rolloutID, attempt: filter, name: name))
        }
        if json { return try Output.json(spans.json) }
        guard !spans.isEmpty else { return print("no spans") }
        var table = Table("SEQ", "ATTEMPT", "SPAN", "PARENT", "NAME", "STATUS", "DURATION", "ATTRIBUTES")
        for span in spans {
            table.add("\(span.sequence)", span.attemptID, span.spanID, span.parentSpanID ?? "-", span.name, span.statusCode.rawValue,
                      Format.seconds(span.durationSeconds), Format.clip(span.attributes.text, 80))
        }
        table.print()
    }

    /// Every span the query matches, read page by page.
    static func allSpans(_ client: StoreClient, _ query: SpanQuery) async throws -> [Span] {
        var query = query
        var spans: [Span] = []
        while true {
            let page = try await client.querySpans(query)
            spans += page
            guard page.count == query.limit, let last = page.last else { return spans }
            query.afterSequence = last.sequence
        }
    }
}
