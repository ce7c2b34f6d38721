/// `choices[].logprobs` of a chat response: one entry per generated token.
public struct ChatLogprobs: Codable, Sendable, Hashable {
    /// A token, its log-probability and its most likely alternatives.
    public struct Entry: Codable, Sendable, Hashable {
        public var token: String
        public var logprob: Double
        /// The UTF-8 bytes of the token (nil for special tokens, which have no text).
        public var bytes: [Int]?
        /// Alternatives, most likely first (empty unless `top_logprobs` was requested).
        public var topLogprobs: [Alternative]

        public init(token: String, logprob: Double, bytes: [Int]?, topLogprobs: [Alternative]) {
            self.token = token
            self.logprob = logprob
            self.bytes = bytes
            self.topLogprobs = topLogprobs
        }

        enum CodingKeys: String, CodingKey {
            case token, logprob, bytes
            case topLogprobs = "top_logprobs"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(token, forKey: .token)
            try container.encode(logprob, forKey: .logprob)
            try container.encode(bytes, forKey: .bytes)
            try container.encode(topLogprobs, forKey: .topLogprobs)
        }
    }

    /// One alternative token.
    public struct Alternative: Codable, Sendable, Hashable {
        public var token: String
        public var logprob: Double
        public var bytes: [Int]?

        public init(token: String, logprob: Double, bytes: [Int]?) {
            self.token = token
            self.logprob = logprob
            self.bytes = bytes
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(token, forKey: .token)
            try container.encode(logprob, forKey: .logprob)
            try container.encode(bytes, forKey: .bytes)
        }

        enum CodingKeys: String, CodingKey { case token, logprob, bytes }
    }

    public var content: [Entry]?

    public init(content: [Entry]?) {
        self.content = content
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(content, forKey: .content)
    }

    enum CodingKeys: String, CodingKey { case content }
}

/// `choices[].logprobs` of a completions response, in the legacy parallel-array shape.
public struct CompletionLogprobs: Codable, Sendable, Hashable {
    public var tokens: [String]
    public var tokenLogprobs: [Double]
    /// Per position: alternative token → log-probability (nil entries when none were requested).
    public var topLogprobs: [[String: Double]]?
    /// Offset of each token in the returned text, in UTF-8 bytes.
    public var textOffset: [Int]

    public init(tokens: [String], tokenLogprobs: [Double], topLogprobs: [[String: Double]]?, textOffset: [Int]) {
        self.tokens = tokens
        self.tokenLogprobs = tokenLogprobs
        self.topLogprobs = topLogprobs
        self.textOffset = textOffset
    }

    enum CodingKeys: String, CodingKey {
        case tokens
        case tokenLogprobs = "token_logprobs"
        case topLogprobs = "top_logprobs"
        case textOffset = "text_offset"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tokens, forKey: .tokens)
        try container.encode(tokenLogprobs, forKey: .tokenLogprobs)
        try container.encode(topLogprobs, forKey: .topLogprobs)
        try container.encode(textOffset, forKey: .textOffset)
    }
}
