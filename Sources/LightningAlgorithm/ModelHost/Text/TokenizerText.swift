import Foundation
import LightningModel
import LightningOpenAI
import LightningTemplate
import LightningTokenizer

/// An open-weight model's text: its own BPE tokenizer and its own Jinja chat template. The template
/// sees the request's messages and tools as sent (key order kept), with `add_generation_prompt`,
/// `bos_token` and `eos_token`, as transformers' `apply_chat_template` gives them.
public struct TokenizerText: ModelText {
    public let tokenizer: Tokenizer
    public let template: LightningTemplate.ChatTemplate
    public let vocabulary: TokenVocabulary
    public let stopTokens: Set<Int32>
    public let toolSyntax: ToolCallSyntax?

    /// End-of-turn tokens of the template families, stop tokens wherever the vocabulary has them.
    static let turnEnds = ["<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", "<|endoftext|>", "</s>", "<end_of_turn>"]

    /// - Parameters:
    ///   - modelVocabulary: rows of the model's output layer; ids past the tokenizer's are never text.
    ///   - extraStops: further end-of-reply ids (a Hugging Face `generation_config.json` `eos_token_id`).
    public init(tokenizer: Tokenizer, template: LightningTemplate.ChatTemplate, modelVocabulary: Int, extraStops: [Int32] = []) throws(ServeError) {
        guard tokenizer.vocabularySize <= modelVocabulary else {
            throw ServeError(code: "tokenizer_mismatch",
                             "the tokenizer has \(tokenizer.vocabularySize) tokens but the model's vocabulary has \(modelVocabulary) rows")
        }
        self.tokenizer = tokenizer
        self.template = template
        vocabulary = TokenVocabulary(count: modelVocabulary) { id in
            Int(id) < tokenizer.vocabularySize ? tokenizer.tokenBytes(id) : []
        }
        var stops = Set(extraStops)
        if let eos = tokenizer.eosID { stops.insert(eos) }
        for name in Self.turnEnds { if let id = tokenizer.id(forToken: name), tokenizer.isSpecial(id) { stops.insert(id) } }
        stopTokens = stops
        toolSyntax = ToolCallSyntax.detect(template: template.source)
    }

    public func chatPrompt(_ request: ChatCompletionRequest, body: [UInt8]) throws(PromptError) -> [Int32] {
        let root: TemplateValue
        do { root = try TemplateValue(json: Data(body)) } catch {
            throw PromptError(code: "invalid_request_error", param: nil, "the request body is not JSON: \(error)")
        }
        var variables: [String: TemplateValue] = [:]
        if case .array(let messages) = root["messages"] ?? .undefined {
            variables["messages"] = .array(messages.map(Self.templateMessage))
        }
        if let tools = root["tools"], case .array(let list) = tools, !list.isEmpty { variables["tools"] = tools }
        if case .bool(let add) = root["add_generation_prompt"] ?? .undefined {
            variables["add_generation_prompt"] = .bool(add)
        } else {
            variables["add_generation_prompt"] = true
        }
        variables["bos_token"] = .string(tokenizer.bosID.flatMap(tokenizer.token) ?? "")
        variables["eos_token"] = .string(tokenizer.eosID.flatMap(tokenizer.token) ?? "")
        let prompt: String
        do {
            prompt = try template.render(variables)
        } catch let error as TemplateError {
            throw PromptError(code: "invalid_request_error", param: error.code == .raised ? "messages" : nil,
                              "the model's chat template cannot render this request: \(error.message)")
        } catch {
            throw PromptError(code: "invalid_request_error", param: nil, "the model's chat template cannot render this request: \(error)")
        }
        return tokenizer.encode(prompt)
    }

    /// A message as templates expect it: content parts joined into one string, and tool-call
    /// arguments sent as a JSON string given as the object they encode.
    static func templateMessage(_ message: TemplateValue) -> TemplateValue {
        guard case .object(var object) = message else { return message }
        if case .array(let parts) = object["content"] ?? .undefined {
            let texts = parts.compactMap { part -> String? in
                if case .string(let text) = part["text"] ?? .undefined { return text }
                return nil
            }
            object["content"] = .string(texts.joined())
        }
        if case .array(let calls) = object["tool_calls"] ?? .undefined {
            object["tool_calls"] = .array(calls.map { call in
                guard case .object(var call) = call, case .object(var function) = call["function"] ?? .undefined,
                      case .string(let arguments) = function["arguments"] ?? .undefined,
                      let parsed = try? TemplateValue(jsonString: arguments), case .object = parsed else { return call }
                function["arguments"] = parsed
                call["function"] = .object(function)
                return .object(call)
            })
        }
        return .object(object)
    }

    /// A completions prompt: special tokens written in it are parsed, BOS first when the model adds one.
    public func encode(_ text: String) -> [Int32] {
        let ids = tokenizer.encode(text)
        if tokenizer.addBOS, let bos = tokenizer.bosID, ids.first != bos { return [bos] + ids }
        return ids
    }

    public func display(_ token: Int32) -> String { tokenizer.token(token) ?? "<|\(token)|>" }
}
