import LightningModel
import LightningOpenAI

/// Builds the non-streamed answers from a finished call.
enum ResponseBuilder {
    static func chat(_ call: ServingCall, _ result: CallResult, header: ResponseHeader) -> ChatCompletion {
        let choices = result.choices.map { choice in
            let reply = ReplyMessage(call, text: choice.text, finish: choice.finishReason ?? .length, choice: choice.index, header: header)
            return ChatCompletion.Choice(
                index: choice.index,
                message: ChatCompletionMessage(role: .assistant, content: reply.content, toolCalls: reply.toolCalls),
                logprobs: call.logprobs
                    ? LogprobsFormat.chat(call.tokenText, tokens: choice.tokens, logprobs: choice.logprobs, top: choice.topLogprobs) : nil,
                finishReason: reply.finishReason,
                tokenIDs: call.returnTokenIDs ? choice.tokens.map(Int.init) : nil)
        }
        return ChatCompletion(
            id: header.id, created: header.created, model: header.model,
            systemFingerprint: result.weightsVersion.map(ResponseHeader.fingerprint), choices: choices, usage: usage(result),
            promptTokenIDs: call.returnTokenIDs ? call.prompt.map(Int.init) : nil)
    }

    static func completion(_ call: ServingCall, _ result: CallResult, header: ResponseHeader) -> Completion {
        let prompt = call.returnTokenIDs ? call.prompt.map(Int.init) : nil
        let choices = result.choices.map { choice in
            Completion.Choice(
                index: choice.index, text: choice.text,
                logprobs: call.logprobs
                    ? LogprobsFormat.completion(call.tokenText, tokens: choice.tokens, logprobs: choice.logprobs,
                                                top: choice.topLogprobs, alternatives: call.topLogprobs)
                    : nil,
                finishReason: (choice.finishReason ?? .length).rawValue,
                tokenIDs: call.returnTokenIDs ? choice.tokens.map(Int.init) : nil, promptTokenIDs: prompt)
        }
        return Completion(
            id: header.id, created: header.created, model: header.model,
            systemFingerprint: result.weightsVersion.map(ResponseHeader.fingerprint), choices: choices, usage: usage(result),
            promptTokenIDs: prompt)
    }

    static func usage(_ result: CallResult) -> CompletionUsage {
        CompletionUsage(promptTokens: result.promptTokens, completionTokens: result.completionTokens)
    }
}

/// A finished chat reply as the client sees it: text, or text and tool calls when the request offered
/// tools and the reply holds well-formed calls (then `finish_reason` is `tool_calls`).
struct ReplyMessage {
    var content: String?
    var toolCalls: [ToolCall]?
    var finishReason: String

    init(_ call: ServingCall, text: String, finish: FinishReason, choice: Int, header: ResponseHeader) {
        guard let syntax = call.toolSyntax else {
            content = text
            finishReason = finish.rawValue
            return
        }
        let parsed = syntax.parse(call.forcedPrefix + text, idPrefix: "call_\(header.id.suffix(12))_\(choice)_")
        if parsed.calls.isEmpty {
            content = text
            finishReason = finish.rawValue
        } else {
            content = parsed.content
            toolCalls = parsed.calls
            finishReason = "tool_calls"
        }
    }
}
