import Foundation
import LightningModel
import LightningOpenAI

extension ServingCall {
    /// Validates a chat request and renders its messages with the chat template.
    init(chat request: ChatCompletionRequest, limits: CallLimits) throws(APIError) {
        guard !request.messages.isEmpty else { throw APIError.invalid("messages", "messages must hold at least one message") }
        let prompt = try limits.prompt(ChatTemplate.tokens(for: request.messages.map(Self.templateMessage)), param: "messages")
        let wantsLogprobs = request.logprobs ?? false
        let top = try limits.topLogprobs(request.topLogprobs, field: "top_logprobs")
        if top > 0 && !wantsLogprobs {
            throw APIError.invalid("top_logprobs", "top_logprobs needs logprobs: true")
        }
        let maxField = request.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens"
        let requestedMax = request.maxCompletionTokens ?? request.maxTokens
        let generation = GenerationRequest(
            prompt: prompt, maxTokens: try limits.maxTokens(requestedMax, field: maxField, promptLength: prompt.count),
            sampling: try limits.sampling(temperature: request.temperature, topP: request.topP, topK: request.topK),
            seed: CallLimits.seed(request.seed), stop: try limits.stop(request.stop?.values), n: try limits.choices(request.n),
            topLogprobs: top)
        self.init(
            kind: .chat, model: request.model, generation: generation, logprobs: wantsLogprobs, topLogprobs: top,
            returnTokenIDs: request.returnTokenIDs ?? false, stream: request.stream ?? false,
            includeUsage: request.streamOptions?.includeUsage ?? false, requestedTemperature: request.temperature,
            requestedTopP: request.topP, requestedMaxTokens: requestedMax, user: request.user,
            requestJSON: String(decoding: HostJSON.encode(request).readableBytesView, as: UTF8.self))
    }

    /// The template's view of a message: `developer` is a system message, `function` a tool message;
    /// an assistant's tool calls follow its text as one JSON object per line, so the model sees them.
    static func templateMessage(_ message: ChatCompletionMessage) -> LightningModel.ChatMessage {
        let role: ChatRole = switch message.role {
        case .system, .developer: .system
        case .user: .user
        case .assistant: .assistant
        case .tool, .function: .tool
        }
        var text = message.text
        for call in message.toolCalls ?? [] {
            let name = (try? JSONEncoder().encode(call.function.name)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
            let arguments = (try? JSONEncoder().encode(call.function.arguments)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
            text += (text.isEmpty ? "" : "\n") + #"{"name":\#(name),"arguments":\#(arguments)}"#
        }
        return LightningModel.ChatMessage(role: role, content: text)
    }
}
