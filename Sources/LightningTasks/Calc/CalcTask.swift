import LightningCore
import LightningOpenAI

/// Arithmetic word problems with a calculator tool: call the tool, read its result, answer.
///
/// The warm-up demonstrations are flawed in a way tied to part of the task, so that the warmed-up
/// agent is a fair starting point for RL rather than already solved: for `times`, most demonstrations
/// skip the tool and guess a rounded product; for `minus`, most call the tool with the operands
/// swapped. `plus` is demonstrated correctly. A minority of each flawed operator is demonstrated
/// correctly, so sampling at temperature 1 still finds the right behaviour sometimes and RL has signal.
public struct CalcTask: ExampleTask {
    public let name = "calc"
    /// Share of `times` and `minus` demonstrations that show the flaw.
    public var flawRate: Double

    public init(flawRate: Double = 0.8) {
        self.flawRate = flawRate
    }

    public func example(_ index: Int, of split: TaskSplit) -> TaskExample {
        let problem = Self.problem(index, of: split)
        let input = #"{"question":"\#(problem.question)","answer":\#(problem.answer)}"#
        return TaskExample(id: "calc/\(split.rawValue)/\(index)", input: JSONText(unchecked: input))
    }

    static func problem(_ index: Int, of split: TaskSplit) -> CalcProblem {
        CalcProblem.example(index, of: split, task: "calc")
    }

    public func demonstrations(count: Int, seed: UInt64) -> [TaskDemonstration] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let problem = CalcProblem.random(in: .train, using: &generator)
            let flawed = Double.random(in: 0..<1, using: &generator) < flawRate
            return Self.demonstration(problem, flawed: flawed)
        }
    }

    static func demonstration(_ problem: CalcProblem, flawed: Bool) -> TaskDemonstration {
        let ask = [ChatCompletionMessage.user(problem.question)]
        switch (problem.op, flawed) {
        case (.times, true):
            // Guesses: the product rounded to two significant digits, without the tool.
            let magnitude = problem.answer >= 100 ? (problem.answer >= 1000 ? 100 : 10) : 1
            let guess = (problem.answer + magnitude / 2) / magnitude * magnitude
            return TaskDemonstration(calls: [.init(messages: ask, reply: "\(guess)")])
        case (.minus, true):
            let swapped = CalcProblem(a: problem.b, op: .minus, b: problem.a)
            return CalcAgent.demonstration(ask: ask, expression: swapped.expression, result: swapped.answer)
        default:
            return CalcAgent.demonstration(ask: ask, expression: problem.expression, result: problem.answer)
        }
    }

    public var agent: any Agent { CalcAgent() }
}
