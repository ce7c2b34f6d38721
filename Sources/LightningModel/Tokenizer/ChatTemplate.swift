/// A chat message role.
public enum ChatRole: String, Sendable, Hashable, Codable, CaseIterable {
    case system, user, assistant, tool

    /// The special token that opens a message of this role.
    public var token: ByteTokenizer.Special {
        switch self {
        case .system: .system
        case .user: .user
        case .assistant: .assistant
        case .tool: .tool
        }
    }
}

/// One chat message.
public struct ChatMessage: Sendable, Hashable, Codable {
    public var role: ChatRole
    public var content: String

    public init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
    }
}

/// The chat template:
///
///     <|bos|> <role>content<|eot|> <role>content<|eot|> … <|assistant|>
///
/// Each message is its role token, the content's bytes and `<|eot|>`. With `addGenerationPrompt` the
/// sequence ends with `<|assistant|>`, so the model writes the assistant's reply and ends it with
/// `<|eot|>` (the default stop token). Content is always encoded as plain bytes, so text that looks
/// like a special token cannot inject one.
public enum ChatTemplate {
    /// Token ids of `messages` in the template.
    public static func tokens(for messages: [ChatMessage], addGenerationPrompt: Bool = true) -> [Int32] {
        let tokenizer = ByteTokenizer()
        var ids: [Int32] = [ByteTokenizer.Special.beginOfText.rawValue]
        for message in messages {
            ids.append(message.role.token.rawValue)
            ids += tokenizer.encode(message.content)
            ids.append(ByteTokenizer.Special.endOfTurn.rawValue)
        }
        if addGenerationPrompt { ids.append(ByteTokenizer.Special.assistant.rawValue) }
        return ids
    }

    /// Convenience for `(role, content)` pairs.
    public static func tokens(for messages: [(ChatRole, String)], addGenerationPrompt: Bool = true) -> [Int32] {
        tokens(for: messages.map { ChatMessage(role: $0.0, content: $0.1) }, addGenerationPrompt: addGenerationPrompt)
    }

    /// A readable rendering of the template with special tokens by name (for logs and docs).
    public static func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        ByteTokenizer().decode(tokens(for: messages, addGenerationPrompt: addGenerationPrompt), showSpecial: true)
    }
}
