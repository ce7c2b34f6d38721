import LightningCore
import LightningOpenAI

/// The sql agent: asks the model for a query, runs it on the task's table (a `sqlite` tool span, with
/// error status when SQLite refuses it) and, when it fails, shows the model SQLite's message and lets it
/// write the query once more (check and rewrite). Reward 1 when the final query's rows match the gold
/// query's rows, else 0.
///
/// The rewrite call sees the question and the error but not the failed query: a query, its error and a
/// new query together would not fit the model's 128-token context.
public struct SQLAgent: Agent {
    public let name = "sql"
    static let maxQueryTokens = 64

    public init() {}

    struct Input: Decodable {
        var question: String
        var gold: String
        var people: [SQLProblem.Person]
    }

    public func run(_ context: RolloutContext) async throws -> Double? {
        let input = try context.task.decoded(as: Input.self, task: "sql")
        let chat = try TaskChat(context, agentName: name)
        return try await solve(input, tracer: context.tracer) { try await chat.reply($0, maxTokens: Self.maxQueryTokens) }
    }

    /// The agent's work on one problem, with the model as a function of the messages (tests script it).
    func solve(_ input: Input, tracer: AgentTracer, model: ([ChatCompletionMessage]) async throws -> String) async throws -> Double {
        let database: SQLiteDatabase
        let expected: [[String]]
        do {
            database = try SQLProblem.database(input.people)
            expected = try database.run(input.gold)
        } catch {
            throw LightningError(.badRequest, "the sql task's table or gold query does not run: \(error)")
        }
        let ask = [ChatCompletionMessage.user(input.question)]
        var result = await execute(try await model(ask), on: database, tracer)
        if case .failure(let error) = result {
            result = await execute(try await model(ask + [.tool(SQLProblem.feedback(error))]), on: database, tracer)
        }
        guard case .success(let rows) = result else { return 0 }
        return SQLProblem.sameResult(rows, expected) ? 1 : 0
    }

    /// Runs `query` as the `sqlite` tool.
    private func execute(_ query: String, on database: SQLiteDatabase, _ tracer: AgentTracer) async -> Result<[[String]], SQLError> {
        do {
            return .success(try await tracer.toolCall("sqlite", arguments: .string(query)) { try database.run(query) })
        } catch let error as SQLError {
            return .failure(error)
        } catch {
            return .failure(SQLError(message: "\(error)"))
        }
    }
}
