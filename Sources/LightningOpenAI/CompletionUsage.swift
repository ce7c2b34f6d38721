/// Token counts of a request (`usage`).
public struct CompletionUsage: Codable, Sendable, Hashable {
    public var promptTokens: Int
    /// Generated tokens over all choices.
    public var completionTokens: Int
    public var totalTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = promptTokens + completionTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }
}

/// `stream_options` of a streamed request.
public struct StreamOptions: Codable, Sendable, Hashable {
    /// Send a last chunk with `usage` and no choices before `[DONE]`.
    public var includeUsage: Bool?

    public init(includeUsage: Bool? = nil) {
        self.includeUsage = includeUsage
    }

    enum CodingKeys: String, CodingKey {
        case includeUsage = "include_usage"
    }
}

/// `stop`: one string or a list of strings.
public struct StopSequences: Codable, Sendable, Hashable, ExpressibleByArrayLiteral {
    public var values: [String]

    public init(_ values: [String]) {
        self.values = values
    }

    public init(arrayLiteral elements: String...) {
        values = elements
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            values = []
        } else if let one = try? container.decode(String.self) {
            values = [one]
        } else {
            values = try container.decode([String].self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
