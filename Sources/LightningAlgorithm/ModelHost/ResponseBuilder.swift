import LightningModel
import LightningOpenAI

/// Builds the non-streamed answers from a finished call.
enum ResponseBuilder {
    static func chat(_ call: ServingCall, _ result: CallResult, header: ResponseHeader) -> ChatCompletion {
        let choices = result.choices.map { choice in
            ChatCompletion.Choice(
                index: choice.index, message: ChatCompletionMessage(role: .assistant, content: choice.text),
                logprobs: call.logprobs ? LogprobsFormat.chat(tokens: choice.tokens, logprobs: choice.logprobs, top: choice.topLogprobs) : nil,
                finishReason: (choice.finishReason ?? .length).rawValue,
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
                    ? LogprobsFormat.completion(tokens: choice.tokens, logprobs: choice.logprobs, top: choice.topLogprobs, alternatives: call.topLogprobs)
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
