import Foundation
import LightningCore
import Testing

@testable import LightningTasks

@Suite struct CalcTaskTests {
    let task = CalcTask()

    @Test("examples are deterministic and the splits never share a problem")
    func deterministicSplits() {
        #expect(task.examples(.train, count: 50) == task.examples(.train, count: 50))
        let train = Set((0..<2000).map { CalcTask.problem($0, of: .train).expression })
        let validation = Set((0..<200).map { CalcTask.problem($0, of: .validation).expression })
        #expect(train.isDisjoint(with: validation))
        #expect(validation.count > 150, "validation problems are varied")
    }

    @Test("an example's input carries the question and the answer")
    func input() throws {
        let example = task.example(3, of: .train)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(example.input.text.utf8)) as? [String: Any])
        let problem = CalcTask.problem(3, of: .train)
        #expect(object["question"] as? String == problem.question)
        #expect(object["answer"] as? Int == problem.answer)
        #expect(example.id == "calc/train/3")
    }

    @Test("the calculator computes well-formed expressions and refuses the rest")
    func calculator() throws {
        #expect(try Calculator.evaluate("12*7") == 84)
        #expect(try Calculator.evaluate(" 5 - 9 ") == -4)
        #expect(try Calculator.evaluate("-3+10") == 7)
        for bad in ["", "12", "12**7", "a+b", "1+2+3", "99999999*2"] {
            #expect(throws: CalculatorError.self, "\(bad)") { try Calculator.evaluate(bad) }
        }
        #expect(Calculator.toolCall(in: "calc 3+4") == "3+4")
        #expect(Calculator.toolCall(in: "42") == nil)
    }

    @Test("demonstrations are flawed for times (a guess) and minus (swapped operands), right for plus")
    func flawedDemonstrations() {
        let demonstrations = task.demonstrations(count: 600, seed: 1)
        #expect(demonstrations == task.demonstrations(count: 600, seed: 1))
        var toolUse: [String: (used: Int, all: Int)] = [:]
        for demonstration in demonstrations {
            let question = demonstration.calls[0].messages[0].text
            let word = question.split(separator: " ")[3]
            let usedTool = demonstration.calls.count == 2
            toolUse[String(word), default: (0, 0)].all += 1
            if usedTool { toolUse[String(word), default: (0, 0)].used += 1 }
            if word == "minus", usedTool {
                let numbers = question.dropFirst(8).dropLast().split(separator: " ")
                let call = demonstration.calls[0].reply
                #expect(call == "calc \(numbers[0])-\(numbers[2])" || call == "calc \(numbers[2])-\(numbers[0])")
            }
            if word == "plus" { #expect(usedTool) }
        }
        let times = try! #require(toolUse["times"])
        #expect(Double(times.used) / Double(times.all) < 0.35, "most times demonstrations guess")
        #expect(times.used > 0, "some times demonstrations use the tool")
    }

    @Test("every built-in task and its agent are found by name")
    func registry() {
        #expect(ExampleTasks.named("calc")?.agent.name == "calc")
        #expect(ExampleTasks.named("digits")?.agent.name == "digits")
        #expect(ExampleTasks.named("nope") == nil)
    }
}
