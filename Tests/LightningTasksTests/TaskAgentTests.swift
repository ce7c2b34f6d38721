import Foundation
import LightningCore
import Testing

@testable import LightningTasks

/// The built-in sql and search agents against a scripted model, with their tool spans recorded by a real
/// tracer: the calls they make, what the tools return, and the reward.
@Suite struct TaskAgentTests {
    private func sqlInput(_ problem: SQLProblem) -> SQLAgent.Input {
        SQLAgent.Input(question: problem.question, gold: problem.gold, people: problem.people)
    }

    @Test("sql: a right query scores 1 with one ok sqlite span and no rewrite")
    func sqlRight() async throws {
        let problem = SQLTask.problem(4, of: .train)
        // Written another way than the gold query: execution match, not text match.
        let query = problem.gold.replacingOccurrences(of: "select name from p", with: "SELECT p.name FROM p")
        let model = ScriptedModel([query])
        let recorder = SpanRecorder()
        let reward = try await SQLAgent().solve(sqlInput(problem), tracer: recorder.tracer) { try await model.reply($0) }
        #expect(reward == 1)
        #expect(await model.calls.count == 1)
        let tools = await recorder.toolCalls
        #expect(tools.map(\.tool) == ["sqlite"] && tools.map(\.status) == [.ok])
        #expect(tools.first?.arguments == query)
    }

    @Test("sql: a failing query is an error span, and the rewrite sees the question and SQLite's message")
    func sqlRewrite() async throws {
        let problem = SQLTask.problem(4, of: .train)
        let model = ScriptedModel(["select nme from p", problem.gold])
        let recorder = SpanRecorder()
        let reward = try await SQLAgent().solve(sqlInput(problem), tracer: recorder.tracer) { try await model.reply($0) }
        #expect(reward == 1)
        let calls = await model.calls
        #expect(calls.count == 2)
        #expect(calls.last?.map(\.text) == [problem.question, "no such column: nme"])
        #expect(calls.last?.map(\.role) == [.user, .tool])
        #expect(await recorder.toolCalls.map(\.status) == [.error, .ok])
    }

    @Test("sql: a wrong result or two failures score 0")
    func sqlWrong() async throws {
        var problem = SQLTask.problem(4, of: .train)
        problem.template = .youngestIn
        let flawed = SQLTask.demonstratedQuery(problem, flawed: true)
        let wrong = ScriptedModel([flawed])
        #expect(try await SQLAgent().solve(sqlInput(problem), tracer: SpanRecorder().tracer) { try await wrong.reply($0) } == 0)
        let broken = ScriptedModel(["selct", "select name form p where"])
        let recorder = SpanRecorder()
        #expect(try await SQLAgent().solve(sqlInput(problem), tracer: recorder.tracer) { try await broken.reply($0) } == 0)
        #expect(await recorder.toolCalls.map(\.status) == [.error, .error])
    }

    private func searchInput(_ problem: SearchProblem) -> SearchAgent.Input {
        SearchAgent.Input(question: problem.question, answer: problem.answer, documents: problem.documents)
    }

    private func problem(_ relation: SearchProblem.Relation) -> SearchProblem {
        (0...).lazy.map { SearchTask.problem($0, of: .train) }.first { $0.relation == relation }!
    }

    @Test("search: two searches then the answer score 1; each call sees the documents found so far")
    func searchTwoHops() async throws {
        let problem = problem(.ruler)
        let model = ScriptedModel(["search: \(problem.subject)", "search: \(problem.bridge)", problem.answer])
        let recorder = SpanRecorder()
        let reward = try await SearchAgent().solve(searchInput(problem), tracer: recorder.tracer) { try await model.reply($0) }
        #expect(reward == 1)
        let calls = await model.calls
        #expect(calls.map(\.count) == [1, 3, 5])
        #expect(calls.last?.last?.text == "\(problem.bridge) is ruled by \(problem.answer).")
        let tools = await recorder.toolCalls
        #expect(tools.map(\.arguments) == [problem.subject, problem.bridge] && tools.map(\.status) == [.ok, .ok])
    }

    @Test("search: a search that finds nothing is an error span; the reward is the answer's F1")
    func searchMiss() async throws {
        let problem = problem(.ruler)
        let model = ScriptedModel(["search: land", "\(problem.answer) \(problem.subject)"])
        let recorder = SpanRecorder()
        let reward = try await SearchAgent().solve(searchInput(problem), tracer: recorder.tracer) { try await model.reply($0) }
        #expect(abs(reward - 2.0 / 3.0) < 1e-12)
        #expect(await model.calls.last?.last?.text == "error: no match")
        #expect(await recorder.toolCalls.map(\.status) == [.error])
    }
}
