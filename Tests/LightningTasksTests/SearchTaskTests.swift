import Foundation
import LightningCore
import Testing

@testable import LightningTasks

@Suite struct SearchTaskTests {
    let task = SearchTask()

    @Test("examples are deterministic and the splits never share a problem")
    func deterministicSplits() {
        #expect(task.examples(.train, count: 50) == task.examples(.train, count: 50))
        let train = Set((0..<2000).map { SearchTask.problem($0, of: .train) })
        let validation = Set((0..<200).map { SearchTask.problem($0, of: .validation) })
        #expect(train.isDisjoint(with: validation))
        #expect(validation.count == 200, "validation problems are distinct")
        #expect(Set(validation.map(\.relation)) == Set(SearchProblem.Relation.allCases))
    }

    @Test("an example's input carries the question, the answer and the documents")
    func input() throws {
        let example = task.example(5, of: .validation)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(example.input.text.utf8)) as? [String: Any])
        let problem = SearchTask.problem(5, of: .validation)
        #expect(object["question"] as? String == problem.question)
        #expect(object["answer"] as? String == problem.answer)
        #expect(object["documents"] as? [String] == problem.documents)
        #expect(example.id == "search/validation/5")
    }

    @Test("token F1 against hand-computed values", arguments: [
        ("Varn", "Varn", 1.0), (" varn.", "Varn", 1.0), ("Quil", "Varn", 0.0), ("", "Varn", 0.0),
        // precision 1/2, recall 1: 2·(1/2)/(3/2) = 2/3
        ("Varn Quil", "Varn", 2.0 / 3.0),
        // precision 1/1, recall 1/2: 2/3
        ("Oma", "Oma Lu", 2.0 / 3.0),
        // two of three predicted tokens in a gold of four: p 2/3, r 1/2, F1 = 4/7
        ("the big dog", "a big dog barks", 4.0 / 7.0),
        // multiplicity: "a a" against "a": p 1/2, r 1
        ("a a", "a", 2.0 / 3.0),
    ])
    func tokenF1(answer: String, gold: String, expected: Double) {
        #expect(abs(TokenF1.score(answer, gold: gold) - expected) < 1e-12)
    }

    @Test("the search tool prefers the document about the keyword and fails on no match")
    func search() throws {
        let index = SearchIndex(documents: ["Zorb lives in Quil.", "Quil is in Varn.", "Varn is ruled by Oma."])
        #expect(try index.search("Quil") == "Quil is in Varn.")
        #expect(try index.search("varn") == "Varn is ruled by Oma.")
        #expect(try index.search("Zorb") == "Zorb lives in Quil.")
        #expect(try index.search("Oma") == "Varn is ruled by Oma.")
        #expect(throws: SearchError(message: "no match")) { try index.search("Nope") }
        #expect(throws: SearchError(message: "empty search")) { try index.search(" ") }
        #expect(SearchIndex.toolCall(in: "search: Quil") == "Quil")
        #expect(SearchIndex.toolCall(in: "Quil") == nil)
    }

    @Test("every problem's gold searches lead to its answer through the real tool")
    func goldPaths() throws {
        for index in 0..<300 {
            let problem = SearchTask.problem(index, of: .train)
            let tool = SearchIndex(documents: problem.documents)
            let found = try problem.searches.map { try tool.search($0) }
            #expect(found[0].hasPrefix(problem.subject + " "))
            #expect(TokenF1.tokens(found.last!).last == TokenF1.tokens(problem.answer).first, "\(problem)")
        }
    }

    @Test("demonstrations: land answers after one hop, ruler searches 'land' (no match), town is right; correct ones score 1")
    func flawedDemonstrations() throws {
        let demonstrations = task.demonstrations(count: 600, seed: 1)
        #expect(demonstrations == task.demonstrations(count: 600, seed: 1))
        var counts: [String: (flawed: Int, all: Int)] = [:]
        for demonstration in demonstrations {
            let calls = demonstration.calls
            let question = calls[0].messages[0].text
            let relation = question.hasPrefix("Where") ? "town" : question.hasPrefix("What land") ? "land" : "ruler"
            let searches = calls.dropLast().map(\.reply)
            let flawed = switch relation {
            case "land": searches.count == 1
            case "ruler": searches == ["search: land"]
            default: false
            }
            #expect(relation != "town" || searches.count == 1)
            counts[relation, default: (0, 0)].all += 1
            if flawed { counts[relation, default: (0, 0)].flawed += 1 }
            // Every tool result shown is what the real tool returns: a document, or its error for `land`.
            for call in calls.dropFirst() {
                #expect(call.messages.last?.role == .tool)
                let shown = call.messages.last!.text
                #expect(shown.hasPrefix("error: ") == (relation == "ruler" && flawed), "\(shown)")
            }
        }
        #expect(counts["town"]?.flawed == 0)
        for relation in ["land", "ruler"] {
            let count = try #require(counts[relation])
            #expect((0.7...0.9).contains(Double(count.flawed) / Double(count.all)), "\(relation): \(count)")
        }
        // Correct demonstrations answer exactly (F1 1) through the real tool; flawed ones score 0.
        for index in 0..<200 {
            let problem = SearchTask.problem(index, of: .train)
            let right = SearchTask.demonstration(problem, flawed: false)
            #expect(TokenF1.score(right.calls.last!.reply, gold: problem.answer) == 1)
            #expect(right.calls.last!.messages.last!.text.contains(problem.answer), "the answer is read from the last document")
            if problem.relation != .town {
                #expect(TokenF1.score(SearchTask.demonstration(problem, flawed: true).calls.last!.reply, gold: problem.answer) == 0)
            }
        }
    }
}
