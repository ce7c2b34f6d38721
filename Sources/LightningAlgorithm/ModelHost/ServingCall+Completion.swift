import LightningModel
import LightningOpenAI

extension ServingCall {
    /// Validates a completions request; the prompt is its text's bytes (no template, no special tokens)
    /// or the given token ids.
    init(completion request: CompletionRequest, limits: CallLimits, text: any ModelText) throws(APIError) {
        let tokens: [Int32]
        switch request.prompt {
        case .text(let prompt): tokens = text.encode(prompt)
        case .tokens(let ids): tokens = ids.map { Int32(clamping: $0) }
        case .texts(let texts) where texts.count == 1: tokens = text.encode(texts[0])
        case .tokenBatches(let batches) where batches.count == 1: tokens = batches[0].map { Int32(clamping: $0) }
        default:
            throw APIError(.badRequest, code: "unsupported_value", param: "prompt",
                           "the model host takes one prompt per request; send the \(request.prompt.count) prompts as separate requests")
        }
        if request.echo == true {
            throw APIError(.badRequest, code: "unsupported_value", param: "echo", "echo is not supported; the prompt is in prompt_token_ids with return_token_ids")
        }
        let prompt = try limits.prompt(tokens, param: "prompt")
        let top = try limits.topLogprobs(request.logprobs, field: "logprobs")
        let generation = GenerationRequest(
            prompt: prompt,
            // OpenAI's default for this endpoint is 16 tokens.
            maxTokens: try request.maxTokens.map { m throws(APIError) in try limits.maxTokens(m, field: "max_tokens", promptLength: prompt.count) } ?? 16,
            sampling: try limits.sampling(temperature: request.temperature, topP: request.topP, topK: request.topK),
            seed: CallLimits.seed(request.seed), stop: try limits.stop(request.stop?.values), stopTokens: text.stopTokens,
            n: try limits.choices(request.n), topLogprobs: top)
        self.init(
            kind: .textCompletion, model: request.model, generation: generation, logprobs: request.logprobs != nil,
            topLogprobs: top, returnTokenIDs: request.returnTokenIDs ?? false, stream: request.stream ?? false,
            includeUsage: request.streamOptions?.includeUsage ?? false, requestedTemperature: request.temperature,
            requestedTopP: request.topP, requestedMaxTokens: request.maxTokens, user: request.user,
            requestJSON: String(decoding: HostJSON.encode(request).readableBytesView, as: UTF8.self), text: text)
    }
}
