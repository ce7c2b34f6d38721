import LightningCore
import LightningOpenAI

/// The search agent: asks the model; a reply `search: <keyword>` runs the search tool (a `search` tool
/// span, with error status when nothing matches) and shows the model the document found, up to two
/// times; any other reply is the answer. Reward: token F1 of the answer against the gold answer, so a
/// rollout succeeds (reward 1) only with the exact answer.
public struct SearchAgent: Agent {
    public let name = "search"
    static let maxSearches = 2
    static let maxReplyTokens = 16

    public init() {}

    struct Input: Decodable {
        var question: String
        var answer: String
        var documents: [String]
    }

    public func run(_ context: RolloutContext) async throws -> Double? {
        let input = try context.task.decoded(as: Input.self, task: "search")
        let chat = try TaskChat(context, agentName: name)
        return try await solve(input, tracer: context.tracer) { try await chat.reply($0, maxTokens: Self.maxReplyTokens) }
    }

    /// The agent's work on one problem, with the model as a function of the messages (tests script it).
    func solve(_ input: Input, tracer: AgentTracer, model: ([ChatCompletionMessage]) async throws -> String) async throws -> Double {
        let index = SearchIndex(documents: input.documents)
        var messages = [ChatCompletionMessage.user(input.question)]
        for _ in 0..<Self.maxSearches {
            let reply = try await model(messages)
            guard let keyword = SearchIndex.toolCall(in: reply) else { return TokenF1.score(reply, gold: input.answer) }
            let result: String
            do {
                result = try await tracer.toolCall("search", arguments: .string(keyword)) { try index.search(keyword) }
            } catch let error as SearchError {
                result = "error: \(error.message)"
            }
            messages += [.assistant(reply), .tool(result)]
        }
        return TokenF1.score(try await model(messages), gold: input.answer)
    }

    /// The calls of a solution that searches `keywords` in turn, then answers, for demonstrations.
    static func demonstration(question: String, keywords: [String], index: SearchIndex, answer: String) -> TaskDemonstration {
        var messages = [ChatCompletionMessage.user(question)]
        var calls: [TaskDemonstration.Call] = []
        for keyword in keywords {
            let call = "search: \(keyword)"
            calls.append(.init(messages: messages, reply: call))
            let result: String
            do {
                result = try index.search(keyword)
            } catch {
                result = "error: \(error.message)"
            }
            messages += [.assistant(call), .tool(result)]
        }
        calls.append(.init(messages: messages, reply: answer))
        return TaskDemonstration(calls: calls)
    }
}
