import LightningModel
import LightningOpenAI

/// How the host turns requests for one model into prompt tokens, and that model's tokens back into
/// text: the GPT's byte-level format (`ByteLevelText`) or a real model's tokenizer and chat template
/// (`TokenizerText`).
public protocol ModelText: Sendable {
    /// The bytes of each token, for the engine's text and stop strings.
    var vocabulary: TokenVocabulary { get }
    /// Tokens that end a reply (end of turn or of text).
    var stopTokens: Set<Int32> { get }
    /// The tool-call syntax the chat template teaches the model, nil when it offers no tools.
    var toolSyntax: ToolCallSyntax? { get }
    /// The prompt of a chat request: its messages (and tools) through the chat template, with the
    /// generation prompt.
    /// `body` is the request as received, for the template's view of messages and tools in their order.
    func chatPrompt(_ request: ChatCompletionRequest, body: [UInt8]) throws(PromptError) -> [Int32]
    /// The tokens of a completions prompt (plain text: no template, special tokens as text).
    func encode(_ text: String) -> [Int32]
    /// How a token is shown in `logprobs` (`token`), for a token that stands for no text on its own.
    func display(_ token: Int32) -> String
}

/// A chat request the model's template cannot render: answered as a 400 with `code` and `param`.
public struct PromptError: Error, Sendable, Hashable {
    public var code: String
    public var param: String?
    public var message: String

    public init(code: String, param: String?, _ message: String) {
        self.code = code
        self.param = param
        self.message = message
    }
}
