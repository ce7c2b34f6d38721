import LightningCore
import LightningOpenAI

/// A smoke task a freshly initialised model can improve on at once: the reward is the share of digits
/// in a short reply. A random model writes some digits by chance, so every group has reward variance
/// and one RL step already moves the mean. Used by the end-to-end training test.
public struct DigitsTask: ExampleTask {
    public let name = "digits"
    public static let replyTokens = 12

    public init() {}

    public func example(_ index: Int, of split: TaskSplit) -> TaskExample {
        TaskExample(id: "digits/\(split.rawValue)/\(index)",
                    input: JSONText(unchecked: #"{"prompt":"Write a number (\#(split.rawValue) \#(index))."}"#))
    }

    public func demonstrations(count: Int, seed: UInt64) -> [TaskDemonstration] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { index in
            let number = (0..<6).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
            return TaskDemonstration(calls: [.init(messages: [.user("Write a number (train \(index)).")], reply: number)])
        }
    }

    public var agent: any Agent { DigitsAgent() }
}

public struct DigitsAgent: Agent {
    public let name = "digits"

    public init() {}

    struct Input: Decodable {
        var prompt: String
    }

    public func run(_ context: RolloutContext) async throws -> Double? {
        let input = try context.task.decoded(as: Input.self, task: "digits")
        let reply = try await TaskChat(context, agentName: name).reply([.user(input.prompt)], maxTokens: DigitsTask.replyTokens)
        return Double(reply.unicodeScalars.filter { ("0"..."9").contains($0) }.count) / Double(DigitsTask.replyTokens)
    }
}
