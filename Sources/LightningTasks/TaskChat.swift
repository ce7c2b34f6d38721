import Foundation
import LightningCore
import LightningOpenAI

/// How the built-in agents talk to the model: one OpenAI client bound to the rollout's URL, with the
/// agent's name on every call so the recorded spans carry it.
struct TaskChat: Sendable {
    /// How an agent words its prompts: `plain` for the project's byte-level GPT (the bare question, as
    /// its warm-up demonstrations show it), `chat` for instruct models (a system prompt that explains
    /// the task and the tool first). The trainer names it in the `llm` resource (`prompt_style`).
    enum Style: String, Decodable {
        case plain, chat
    }

    let client: OpenAIClient
    let model: String
    let agentName: String
    let temperature: Double
    let style: Style

    init(_ context: RolloutContext, agentName: String) throws {
        guard let url = URL(string: context.llm.baseURL) else {
            throw LightningError(.badRequest, "the model endpoint '\(context.llm.baseURL)' is not a URL")
        }
        client = OpenAIClient(baseURL: url, apiKey: context.llm.apiKey, headers: ["X-Lightning-Agent": agentName], timeout: 120)
        model = context.llm.model
        self.agentName = agentName
        // Training rollouts sample; validation is greedy unless the task asks for a temperature
        // (the trainer also measures validation at temperature 1).
        let requested = (try? JSONDecoder().decode(Sampling.self, from: Data(context.task.text.utf8)))?.temperature
        temperature = requested ?? (context.rollout.mode == .train ? 1.0 : 0.0)
        let published = context.resources?.entries["llm"].flatMap { try? JSONDecoder().decode(Published.self, from: Data($0.text.utf8)) }
        style = published?.promptStyle ?? .plain
    }

    private struct Sampling: Decodable {
        var temperature: Double?
    }

    private struct Published: Decodable {
        var promptStyle: Style?
        enum CodingKeys: String, CodingKey { case promptStyle = "prompt_style" }
    }

    /// `messages`, preceded in the chat style by a system message saying `system` and a worked example
    /// (small instruct models follow a shown exchange far more often than a described one).
    func framed(system: String, example: [ChatCompletionMessage] = [], _ messages: [ChatCompletionMessage]) -> [ChatCompletionMessage] {
        style == .chat ? [ChatCompletionMessage(role: .system, content: system)] + example + messages : messages
    }

    /// The assistant's reply to `messages`.
    func reply(_ messages: [ChatCompletionMessage], maxTokens: Int) async throws -> String {
        let request = ChatCompletionRequest(
            model: model,
            messages: messages,
            temperature: temperature, maxTokens: maxTokens, user: agentName)
        let answer = try await client.chat(request)
        return answer.choices.first?.message.text ?? ""
    }
}

extension JSONText {
    /// `value` as JSON with sorted keys: the same example is the same text in every process (a
    /// dictionary's key order is not).
    static func sorted<T: Encodable>(_ value: T) -> JSONText {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return JSONText(unchecked: String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self))
    }

    /// The input decoded as `T`, or a clear error naming the task.
    func decoded<T: Decodable>(as type: T.Type, task: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw LightningError(.badRequest, "the rollout input is not a \(task) task: \(error)")
        }
    }
}
