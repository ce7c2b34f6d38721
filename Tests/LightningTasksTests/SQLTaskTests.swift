import Foundation
import LightningCore
import Testing

@testable import LightningTasks

@Suite struct SQLTaskTests {
    let task = SQLTask()

    @Test("examples are deterministic and the splits never share a problem")
    func deterministicSplits() {
        #expect(task.examples(.train, count: 50) == task.examples(.train, count: 50))
        let train = Set((0..<2000).map { SQLTask.problem($0, of: .train) })
        let validation = Set((0..<200).map { SQLTask.problem($0, of: .validation) })
        #expect(train.isDisjoint(with: validation))
        #expect(validation.count == 200, "validation problems are distinct")
        #expect(Set(validation.map(\.template)) == Set(SQLProblem.Template.allCases))
    }

    @Test("an example's input carries the question, the gold query and the table")
    func input() throws {
        let example = task.example(3, of: .train)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(example.input.text.utf8)) as? [String: Any])
        let problem = SQLTask.problem(3, of: .train)
        #expect(object["question"] as? String == problem.question)
        #expect(object["gold"] as? String == problem.gold)
        #expect((object["people"] as? [Any])?.count == 10)
        #expect(example.id == "sql/train/3")
    }

    @Test("gold queries give the hand-checked answer")
    func goldQueries() throws {
        let people = [("Ann", 30, "Rome"), ("Bob", 50, "Oslo"), ("Cal", 40, "Rome"), ("Dan", 20, "Rome")]
            .map { SQLProblem.Person(name: $0.0, age: $0.1, city: $0.2) }
        func answer(_ template: SQLProblem.Template, city: String = "Rome", age: Int = 35) throws -> [[String]] {
            let problem = SQLProblem(template: template, city: city, age: age, people: people)
            return try problem.database().run(problem.gold)
        }
        #expect(try answer(.olderThan).sorted { $0[0] < $1[0] } == [["Bob"], ["Cal"]])
        #expect(try answer(.oldestIn) == [["Cal"]])
        #expect(try answer(.youngestIn) == [["Dan"]])
    }

    @Test("execution match ignores row order and compares values; SQL errors are SQLite's messages")
    func executionMatch() throws {
        let problem = SQLTask.problem(0, of: .train)
        let database = try problem.database()
        let expected = try database.run("select name from p where age>40")
        #expect(SQLProblem.sameResult(try database.run("select name from p where age>40 order by age desc"), expected))
        #expect(SQLProblem.sameResult(try database.run("select name from p where 40<age"), expected))
        #expect(!SQLProblem.sameResult(try database.run("select name, age from p where age>40"), expected))
        #expect(!SQLProblem.sameResult(try database.run("select name from p where age>200"), [["Ann"]]))
        #expect(throws: SQLError(message: "no such column: nme")) { try database.run("select nme from p") }
        // `form` reads as an alias of `name`, so SQLite stumbles on the table name.
        #expect(throws: SQLError(message: #"near "p": syntax error"#)) { try database.run("select name form p") }
    }

    @Test("model-written SQL can only read, in one statement and bounded work", arguments: [
        "delete from p", "insert into p values('x', 1, 'y')", "attach database '/tmp/x.db' as x", "pragma query_only=0",
        "select 1; delete from p", "", "select count(*) from p a, p b, p c, p d, p e, p f, p g, p h", "select * from p a, p b",
    ])
    func lockedDown(query: String) throws {
        let database = try SQLTask.problem(0, of: .train).database()
        #expect(throws: SQLError.self) { try database.run(query) }
        #expect(try database.run("select count(*) from p") == [["10"]])
    }

    @Test("demonstrations: oldest leaves out WHERE, youngest sorts desc, older-than is right; correct ones match the gold result")
    func flawedDemonstrations() throws {
        let demonstrations = task.demonstrations(count: 600, seed: 1)
        #expect(demonstrations == task.demonstrations(count: 600, seed: 1))
        var counts: [String: (flawed: Int, all: Int)] = [:]
        var rewrites = 0
        for demonstration in demonstrations {
            let call = try #require(demonstration.calls.only)
            let question = call.messages[0].text
            let query = call.reply
            if call.messages.count == 2 {
                rewrites += 1
                #expect(call.messages[1].role == .tool)
                #expect(["no such", "near "].contains { call.messages[1].text.hasPrefix($0) }, "\(call.messages[1].text)")
            }
            let template = question.contains("older") ? "older" : question.contains("oldest") ? "oldest" : "youngest"
            let flawed = switch template {
            case "oldest": !query.contains("where")
            case "youngest": query.contains("desc")
            default: false
            }
            counts[template, default: (0, 0)].all += 1
            if flawed { counts[template, default: (0, 0)].flawed += 1 }
        }
        #expect(counts["older"]?.flawed == 0)
        for template in ["oldest", "youngest"] {
            let count = try #require(counts[template])
            #expect((0.7...0.9).contains(Double(count.flawed) / Double(count.all)), "\(template): \(count)")
        }
        #expect((0.1...0.2).contains(Double(rewrites) / 600))
        // Correct demonstrations give the gold rows through the real database.
        for index in 0..<100 {
            let problem = SQLTask.problem(index, of: .train)
            let database = try problem.database()
            let query = SQLTask.demonstratedQuery(problem, flawed: false)
            #expect(SQLProblem.sameResult(try database.run(query), try database.run(problem.gold)))
            if problem.template == .youngestIn {
                #expect(!SQLProblem.sameResult(try database.run(SQLTask.demonstratedQuery(problem, flawed: true)), try database.run(problem.gold)))
            }
        }
    }

    @Test("every built-in task and its agent are found by name")
    func registry() {
        #expect(ExampleTasks.named("sql")?.agent.name == "sql")
        #expect(ExampleTasks.named("search")?.agent.name == "search")
    }
}

extension Array {
    /// The single element, or `nil` when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
