import Foundation
import LightningCore
import LightningOpenAI

/// The calc agent: asks the model; a reply `calc <expression>` runs the calculator (recorded as a tool
/// span, with error status when the expression cannot be computed) and the model then answers from the
/// result; any other reply is taken as the answer. Reward 1 for the right number, else 0.
public struct CalcAgent: Agent {
    public let name = "calc"

    public init() {}

    struct Input: Decodable {
        var question: String
        var answer: Int
    }

    /// What an instruct model is told first (chat style).
    static let systemPrompt = """
        You solve arithmetic questions with a calculator. To use it, reply with only `calc` and the \
        expression, for example: calc 12*7
        The calculator answers with the result. Then reply with only the final number.
        """

    /// The exchange shown before the question (chat style).
    static let example: [ChatCompletionMessage] = [.user("What is 3 plus 4?"), .assistant("calc 3+4"), .tool("7"), .assistant("7")]

    public func run(_ context: RolloutContext) async throws -> Double? {
        let input = try context.task.decoded(as: Input.self, task: "calc")
        let chat = try TaskChat(context, agentName: name)
        var messages = chat.framed(system: Self.systemPrompt, example: Self.example, [.user(input.question)])
        var reply = try await chat.reply(messages, maxTokens: 16)
        if let expression = Calculator.toolCall(in: reply) {
            let result: String
            do {
                result = String(try await context.tracer.toolCall("calculator", arguments: .string(expression)) {
                    try Calculator.evaluate(expression)
                })
            } catch let error as CalculatorError {
                result = "error: \(error.message)"
            }
            messages += [.assistant(reply), .tool(result)]
            reply = try await chat.reply(messages, maxTokens: 12)
        }
        return Calculator.answer(in: reply, style: chat.style) == input.answer ? 1 : 0
    }

    /// The two calls of a tool-using solution, for demonstrations.
    static func demonstration(ask: [ChatCompletionMessage], expression: String, result: Int) -> TaskDemonstration {
        let call = "calc \(expression)"
        return TaskDemonstration(calls: [
            .init(messages: ask, reply: call),
            .init(messages: ask + [.assistant(call), .tool("\(result)")], reply: "\(result)"),
        ])
    }
}
