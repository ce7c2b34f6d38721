/// The role of a chat message. `developer` is the newer name of `system`; `function` the older name
/// of `tool`.
public enum ChatCompletionRole: String, Codable, Sendable, Hashable, CaseIterable {
    case system, developer, user, assistant, tool, function
}

/// One message of a chat request, or the message of a chat response.
public struct ChatCompletionMessage: Codable, Sendable, Hashable {
    public var role: ChatCompletionRole
    /// Text, text parts, or nil (an assistant message that only calls tools).
    public var content: MessageContent?
    public var name: String?
    /// Tool calls of an assistant message.
    public var toolCalls: [ToolCall]?
    /// The call a `tool` message answers.
    public var toolCallID: String?

    public init(role: ChatCompletionRole, content: String?, name: String? = nil, toolCalls: [ToolCall]? = nil, toolCallID: String? = nil) {
        self.role = role
        self.content = content.map(MessageContent.text)
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    /// The plain text of the content (text parts joined), or "".
    public var text: String { content?.text ?? "" }

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }

    // `content` is always sent (null for tool-only messages), as clients read it without a default.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(content, forKey: .content)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
        try container.encodeIfPresent(toolCallID, forKey: .toolCallID)
    }
}

/// Message content: a string or a list of content parts (only `text` parts carry text for this model).
public enum MessageContent: Codable, Sendable, Hashable {
    case text(String)
    case parts([ContentPart])

    /// One part of a multi-part content.
    public struct ContentPart: Codable, Sendable, Hashable {
        /// `text`, `image_url`, `input_audio`, …; only `text` parts are read.
        public var type: String
        public var text: String?

        public init(type: String = "text", text: String?) {
            self.type = type
            self.text = text
        }
    }

    /// The text of the content; text parts are joined without a separator.
    public var text: String {
        switch self {
        case .text(let text): text
        case .parts(let parts): parts.compactMap { $0.type == "text" ? $0.text : nil }.joined()
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .parts(try container.decode([ContentPart].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .parts(let parts): try container.encode(parts)
        }
    }
}

/// A tool call of an assistant message: decoded so that agents can send their history back; the model
/// sees it as text (see the model host's documentation).
public struct ToolCall: Codable, Sendable, Hashable {
    /// The function and its JSON-encoded arguments.
    public struct Function: Codable, Sendable, Hashable {
        public var name: String
        public var arguments: String

        public init(name: String, arguments: String) {
            self.name = name
            self.arguments = arguments
        }
    }

    public var id: String?
    /// Always `function` today.
    public var type: String?
    public var function: Function

    public init(id: String? = nil, type: String? = "function", function: Function) {
        self.id = id
        self.type = type
        self.function = function
    }
}
