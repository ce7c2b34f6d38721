import LightningCore
import LightningOpenAI

/// A built-in training task (DESIGN.md section 7): a deterministic dataset with a train/validation
/// split, the agent that solves it through the model, and demonstrations for a supervised warm-up.
public protocol ExampleTask: Sendable {
    /// The name jobs and runners use (`calc`, `digits`, …).
    var name: String { get }
    /// Example `index` of `split`; the same arguments always give the same example.
    func example(_ index: Int, of split: TaskSplit) -> TaskExample
    /// Demonstrations for the warm-up, deterministic in `seed`.
    func demonstrations(count: Int, seed: UInt64) -> [TaskDemonstration]
    /// The built-in agent that works on this task's rollouts.
    var agent: any Agent { get }
}

extension ExampleTask {
    /// The first `count` examples of `split`, from `offset`.
    public func examples(_ split: TaskSplit, count: Int, offset: Int = 0) -> [TaskExample] {
        (offset..<offset + count).map { example($0, of: split) }
    }
}

/// Train examples are trained on; validation examples are held back to measure progress.
public enum TaskSplit: String, Sendable, Hashable, Codable, CaseIterable {
    case train, validation
}

/// One task instance: the rollout input the agent gets.
public struct TaskExample: Sendable, Hashable {
    /// Stable across runs: the split and index, e.g. `calc/train/17`.
    public var id: String
    public var input: JSONText

    public init(id: String, input: JSONText) {
        self.id = id
        self.input = input
    }
}

/// The calls a good (or, for the warm-up, a deliberately imperfect) agent makes on one example: each
/// call's chat messages and the reply to learn.
public struct TaskDemonstration: Sendable, Hashable {
    public struct Call: Sendable, Hashable {
        /// What the agent sends, as it sends it: the trainer renders these through the model host's
        /// own chat template, so warm-up prompts are token for token what the host will see.
        public var messages: [ChatCompletionMessage]
        public var reply: String

        public init(messages: [ChatCompletionMessage], reply: String) {
            self.messages = messages
            self.reply = reply
        }
    }

    public var calls: [Call]

    public init(calls: [Call]) {
        self.calls = calls
    }
}

/// The built-in tasks by name.
public enum ExampleTasks {
    public static let all: [any ExampleTask] = [CalcTask(), SQLTask(), SearchTask(), DigitsTask()]

    public static func named(_ name: String) -> (any ExampleTask)? {
        all.first { $0.name == name }
    }

    public static var names: [String] { all.map(\.name) }
}

extension ChatCompletionMessage {
    static func user(_ text: String) -> ChatCompletionMessage { ChatCompletionMessage(role: .user, content: text) }
    static func assistant(_ text: String) -> ChatCompletionMessage { ChatCompletionMessage(role: .assistant, content: text) }
    static func tool(_ text: String) -> ChatCompletionMessage { ChatCompletionMessage(role: .tool, content: text) }
}
