import Foundation
import LightningCore
import LightningOpenAI

/// Text to SQL over a small table of people (DESIGN.md section 7): write a query, run it, and when
/// SQLite refuses it, read the error and rewrite it once. Reward: execution match with the gold query.
///
/// The warm-up demonstrations are flawed in a way tied to part of the task: for "oldest in <city>",
/// most demonstrations leave out the WHERE clause (the oldest of everyone); for "youngest in <city>",
/// most sort the wrong way (`desc`, the oldest of the city). "older than <age>" is demonstrated
/// correctly. A minority of each flawed template is demonstrated correctly, so sampling at
/// temperature 1 still finds the right query sometimes and RL has signal. Some demonstrations show the
/// rewrite call after a real SQLite error, so the model knows that prompt too.
public struct SQLTask: ExampleTask {
    public let name = "sql"
    /// Share of `oldestIn` and `youngestIn` demonstrations that show the flaw.
    public var flawRate: Double
    /// Share of demonstrations that are a rewrite after an error.
    public var rewriteRate: Double

    public init(flawRate: Double = 0.8, rewriteRate: Double = 0.15) {
        self.flawRate = flawRate
        self.rewriteRate = rewriteRate
    }

    public func example(_ index: Int, of split: TaskSplit) -> TaskExample {
        let problem = Self.problem(index, of: split)
        let input = Input(question: problem.question, gold: problem.gold, people: problem.people)
        return TaskExample(id: "sql/\(split.rawValue)/\(index)", input: .sorted(input))
    }

    private struct Input: Encodable {
        var question: String
        var gold: String
        var people: [SQLProblem.Person]
    }

    static func problem(_ index: Int, of split: TaskSplit) -> SQLProblem {
        SQLProblem.example(index, of: split, task: "sql")
    }

    public func demonstrations(count: Int, seed: UInt64) -> [TaskDemonstration] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let problem = SQLProblem.random(in: .train, using: &generator)
            let flawed = Double.random(in: 0..<1, using: &generator) < flawRate
            let query = Self.demonstratedQuery(problem, flawed: flawed)
            let ask = [ChatCompletionMessage.user(problem.question)]
            guard Double.random(in: 0..<1, using: &generator) < rewriteRate else {
                return TaskDemonstration(calls: [.init(messages: ask, reply: query)])
            }
            // Only the rewrite is taught, not the typo: the error is what SQLite says about it.
            let error = Self.error(of: Self.typo(query, using: &generator), in: problem)
            return TaskDemonstration(calls: [.init(messages: ask + [.tool(SQLProblem.feedback(error))], reply: query)])
        }
    }

    /// The query a demonstration writes: the gold one, or the template's flaw.
    static func demonstratedQuery(_ problem: SQLProblem, flawed: Bool) -> String {
        switch (problem.template, flawed) {
        case (.oldestIn, true): "select name from p order by age desc limit 1"
        case (.youngestIn, true): "select name from p where city='\(problem.city)' order by age desc limit 1"
        default: problem.gold
        }
    }

    /// Slips that SQLite refuses: a misspelt column, keyword or table.
    static let typos = [("name", "nme"), ("from", "form"), ("age", "agee"), (" p", " people"), ("select", "selct")]

    static func typo(_ query: String, using generator: inout SeededGenerator) -> String {
        let applicable = typos.filter { query.contains($0.0) }
        guard let (right, wrong) = applicable.randomElement(using: &generator), let range = query.range(of: right) else { return query }
        return query.replacingCharacters(in: range, with: wrong)
    }

    /// SQLite's error for a query that has one (every typo above does).
    static func error(of query: String, in problem: SQLProblem) -> SQLError {
        do {
            _ = try problem.database().run(query)
            return SQLError(message: "no error")
        } catch {
            return error
        }
    }

    public var agent: any Agent { SQLAgent() }
}
