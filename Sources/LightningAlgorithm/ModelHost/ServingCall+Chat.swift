import Foundation
import LightningModel
import LightningOpenAI
import NIOCore

extension ServingCall {
    /// Validates a chat request and renders its messages (and tools) with the model's chat template.
    init(chat request: ChatCompletionRequest, body: ByteBufferView, limits: CallLimits, text: any ModelText) throws(APIError) {
        guard !request.messages.isEmpty else { throw APIError.invalid("messages", "messages must hold at least one message") }
        let tools = try Self.validatedTools(request, syntax: text.toolSyntax)
        var prompt: [Int32]
        do {
            prompt = try text.chatPrompt(request, body: Array(body))
        } catch {
            throw APIError(.badRequest, code: error.code, param: error.param, error.message)
        }
        var forced = "", stops = try limits.stop(request.stop?.values)
        if let syntax = tools.syntax, let prefix = syntax.forcedPrefix(for: request.toolChoice) {
            forced = prefix
            prompt += text.encode(prefix)
            // A forced choice asks for a call, not a conversation after it.
            if let closer = syntax.closer { stops.append(closer) }
        }
        prompt = try limits.prompt(prompt, param: "messages")
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
            seed: CallLimits.seed(request.seed), stop: stops, stopTokens: text.stopTokens,
            n: try limits.choices(request.n), topLogprobs: top)
        self.init(
            kind: .chat, model: request.model, generation: generation, logprobs: wantsLogprobs, topLogprobs: top,
            returnTokenIDs: request.returnTokenIDs ?? false, stream: request.stream ?? false,
            includeUsage: request.streamOptions?.includeUsage ?? false, requestedTemperature: request.temperature,
            requestedTopP: request.topP, requestedMaxTokens: requestedMax, user: request.user,
            requestJSON: String(decoding: HostJSON.encode(request).readableBytesView, as: UTF8.self), text: text,
            toolSyntax: tools.syntax, forcedPrefix: forced)
    }

    /// Checks `tools` and `tool_choice`; the syntax replies are parsed with (nil: no tools in play).
    static func validatedTools(_ request: ChatCompletionRequest, syntax: ToolCallSyntax?) throws(APIError) -> (syntax: ToolCallSyntax?, names: [String]) {
        let tools = request.tools ?? []
        var names: [String] = []
        for (i, tool) in tools.enumerated() {
            guard tool.type == "function" else {
                throw APIError.invalid("tools[\(i)].type", "tools[\(i)].type must be function, got '\(tool.type)'")
            }
            let name = tool.function.name
            guard (1...64).contains(name.utf8.count),
                  name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "_" || $0 == "-" }) else {
                throw APIError.invalid("tools[\(i)].function.name", "a function name must be 1 to 64 letters, digits, _ or -, got '\(name)'")
            }
            if let parameters = tool.function.parameters, case .object = parameters {} else if tool.function.parameters != nil {
                throw APIError.invalid("tools[\(i)].function.parameters", "parameters must be a JSON Schema object")
            }
            guard !names.contains(name) else { throw APIError.invalid("tools", "the function '\(name)' is defined twice") }
            names.append(name)
        }
        switch request.toolChoice {
        case .required?, .function?:
            guard !tools.isEmpty else { throw APIError.invalid("tool_choice", "tool_choice needs tools") }
        default: break
        }
        if case .function(let name)? = request.toolChoice, !names.contains(name) {
            throw APIError.invalid("tool_choice", "tool_choice names '\(name)', which is not among the tools")
        }
        guard !tools.isEmpty, request.toolChoice != ToolChoice.none else { return (nil, names) }
        guard let syntax else {
            throw APIError(.badRequest, code: "unsupported_value", param: "tools",
                           "this model's chat template offers no tools; serve it with a template that does (--chat-template)")
        }
        return (syntax, names)
    }
}
