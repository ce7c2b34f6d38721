import LightningModel
import LightningOpenAI
import NIOCore

/// Turns the engine's events of one call into server-sent events in the OpenAI chunk shapes.
struct StreamEncoder {
    let call: ServingCall
    let header: ResponseHeader
    /// The version the call was submitted with (confirmed by `.completed`).
    let fingerprint: String
    /// Per choice: text bytes sent so far (completion `text_offset`) and whether a chunk was sent.
    private var offsets: [Int]
    private var started: [Bool]
    private var promptSent = false
    /// With tools: per choice, the reply so far and the bytes of it sent as content (text that may
    /// belong to a tool call is held back until the choice ends).
    private var replies: [String]
    private var sentContent: [Int]

    init(call: ServingCall, header: ResponseHeader, weightsVersion: Int) {
        self.call = call
        self.header = header
        fingerprint = ResponseHeader.fingerprint(weightsVersion)
        offsets = Array(repeating: 0, count: call.generation.n)
        started = Array(repeating: false, count: call.generation.n)
        replies = Array(repeating: "", count: call.generation.n)
        sentContent = Array(repeating: 0, count: call.generation.n)
    }

    /// Chat streams open every choice with a chunk carrying the assistant role.
    mutating func opening() -> [ByteBuffer] {
        guard call.kind == .chat else { return [] }
        return (0..<call.generation.n).map { index in
            started[index] = true
            return chat([.init(index: index, delta: .init(role: .assistant, content: ""))])
        }
    }

    mutating func chunks(for event: GenerationEvent) -> [ByteBuffer] {
        switch event {
        case .token(let token):
            let text = call.toolSyntax == nil ? token.text : heldBack(token.choice, adding: token.text)
            guard !text.isEmpty || call.logprobs || call.returnTokenIDs else { return [] }
            return [piece(index: token.choice, text: text, token: token, finish: nil)]
        case .choiceFinished(let index, let reason, let text):
            if call.toolSyntax != nil { return finishedWithTools(index, reason: reason, adding: text) }
            return [piece(index: index, text: text, token: nil, finish: reason.rawValue)]
        case .completed:
            return []
        }
    }

    /// The last chunk with `usage` and no choices (with `stream_options.include_usage`).
    func usage(_ result: CallResult) -> ByteBuffer? {
        guard call.includeUsage else { return nil }
        let usage = ResponseBuilder.usage(result)
        switch call.kind {
        case .chat: return HostJSON.event(ChatCompletionChunk(id: header.id, created: header.created, model: header.model,
                                                              systemFingerprint: fingerprint, choices: [], usage: usage))
        case .textCompletion: return HostJSON.event(Completion(id: header.id, created: header.created, model: header.model,
                                                               systemFingerprint: fingerprint, choices: [], usage: usage))
        }
    }

    /// Adds text to a reply that may hold tool calls; returns the part now known to be content.
    private mutating func heldBack(_ index: Int, adding text: String) -> String {
        replies[index] += text
        guard call.forcedPrefix.isEmpty, let syntax = call.toolSyntax else { return "" }
        let content = syntax.contentPrefixLength(of: replies[index])
        guard content > sentContent[index] else { return "" }
        defer { sentContent[index] = content }
        let bytes = Array(replies[index].utf8)
        return String(decoding: bytes[sentContent[index]..<content], as: UTF8.self)
    }

    /// The last chunks of a reply that may hold tool calls: the rest of its content, its calls, the end.
    private mutating func finishedWithTools(_ index: Int, reason: FinishReason, adding text: String) -> [ByteBuffer] {
        replies[index] += text
        let reply = ReplyMessage(call, text: replies[index], finish: reason, choice: index, header: header)
        let sent = String(decoding: Array(replies[index].utf8)[0..<sentContent[index]], as: UTF8.self)
        guard let calls = reply.toolCalls else {
            let rest = String(decoding: Array(replies[index].utf8)[sentContent[index]...], as: UTF8.self)
            return [piece(index: index, text: rest, token: nil, finish: reply.finishReason)]
        }
        var chunks: [ByteBuffer] = []
        let content = reply.content ?? ""
        let restOfContent = content.hasPrefix(sent) ? String(content.dropFirst(sent.count)) : ""
        let deltas = calls.enumerated().map { i, call in
            ChatCompletionChunk.ToolCallDelta(index: i, id: call.id, type: "function",
                                              function: .init(name: call.function.name, arguments: call.function.arguments))
        }
        chunks.append(chat([.init(index: index, delta: .init(content: restOfContent.isEmpty ? nil : restOfContent, toolCalls: deltas))]))
        chunks.append(chat([.init(index: index, delta: .init(), finishReason: reply.finishReason)]))
        return chunks
    }

    private mutating func piece(index: Int, text: String, token: GeneratedToken?, finish: String?) -> ByteBuffer {
        let tokens = token.map { [$0.token] } ?? []
        switch call.kind {
        case .chat:
            let logprobs = call.logprobs && token != nil
                ? LogprobsFormat.chat(call.tokenText, tokens: tokens, logprobs: [token!.logprob], top: [token!.topLogprobs]) : nil
            return chat([.init(index: index, delta: .init(content: text.isEmpty ? nil : text), logprobs: logprobs,
                               finishReason: finish, tokenIDs: call.returnTokenIDs ? tokens.map(Int.init) : nil)])
        case .textCompletion:
            let logprobs = call.logprobs && token != nil
                ? LogprobsFormat.completion(call.tokenText, tokens: tokens, logprobs: [token!.logprob], top: [token!.topLogprobs],
                                            alternatives: call.topLogprobs, startOffset: offsets[index])
                : nil
            offsets[index] += tokens.map(call.tokenText.length).reduce(0, +)
            let first = !started[index]
            started[index] = true
            let prompt = call.returnTokenIDs && first ? call.prompt.map(Int.init) : nil
            let choice = Completion.Choice(index: index, text: text, logprobs: logprobs, finishReason: finish,
                                           tokenIDs: call.returnTokenIDs ? tokens.map(Int.init) : nil, promptTokenIDs: prompt)
            return HostJSON.event(Completion(id: header.id, created: header.created, model: header.model,
                                             systemFingerprint: fingerprint, choices: [choice], usage: nil))
        }
    }

    private mutating func chat(_ choices: [ChatCompletionChunk.Choice]) -> ByteBuffer {
        let prompt = call.returnTokenIDs && !promptSent ? call.prompt.map(Int.init) : nil
        promptSent = true
        return HostJSON.event(ChatCompletionChunk(id: header.id, created: header.created, model: header.model,
                                                  systemFingerprint: fingerprint, choices: choices, promptTokenIDs: prompt))
    }
}
