import Foundation
import LightningModel
import LightningOpenAI

/// The project's byte-level GPT: one token per byte, special tokens for roles and turns, and the fixed
/// `ChatTemplate` of `LightningModel`.
public struct ByteLevelText: ModelText {
    public init() {}

    public var vocabulary: TokenVocabulary { .byteLevel }
    public var stopTokens: Set<Int32> { [ByteTokenizer.Special.endOfTurn.rawValue] }
    public var toolSyntax: ToolCallSyntax? { nil }

    public func chatPrompt(_ request: ChatCompletionRequest, body: [UInt8]) throws(PromptError) -> [Int32] {
        if let tools = request.tools, !tools.isEmpty {
            throw PromptError(code: "unsupported_value", param: "tools",
                              "this model has no chat template for tools; serve a model whose template offers them")
        }
        return LightningModel.ChatTemplate.tokens(for: request.messages.map(Self.templateMessage))
    }

    public func encode(_ text: String) -> [Int32] { ByteTokenizer().encode(text) }

    public func display(_ token: Int32) -> String {
        if let byte = ByteTokenizer.byte(token) { return TokenText.escaped([byte]) }
        return ByteTokenizer.Special(rawValue: token)?.name ?? "<|\(token)|>"
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
