/// A tool a chat request offers the model (`tools[]`): today always a function with a JSON Schema of
/// its parameters.
public struct ChatTool: Codable, Sendable, Hashable {
    public struct Function: Codable, Sendable, Hashable {
        public var name: String
        public var description: String?
        /// The JSON Schema of the arguments (an object).
        public var parameters: JSONValue?
        public var strict: Bool?

        public init(name: String, description: String? = nil, parameters: JSONValue? = nil, strict: Bool? = nil) {
            self.name = name
            self.description = description
            self.parameters = parameters
            self.strict = strict
        }
    }

    public var type: String
    public var function: Function

    public init(type: String = "function", function: Function) {
        self.type = type
        self.function = function
    }
}

/// `tool_choice`: `none`, `auto`, `required`, or one named function.
public enum ToolChoice: Codable, Sendable, Hashable {
    case none
    case auto
    case required
    case function(String)

    private struct Named: Codable {
        struct Function: Codable { var name: String }
        var type: String
        var function: Function
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let word = try? container.decode(String.self) {
            switch word {
            case "none": self = .none
            case "auto": self = .auto
            case "required": self = .required
            default:
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "tool_choice must be none, auto, required or {\"type\": \"function\", \"function\": {\"name\": …}}, got '\(word)'")
            }
            return
        }
        let named = try container.decode(Named.self)
        guard named.type == "function" else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "tool_choice.type must be function, got '\(named.type)'")
        }
        self = .function(named.function.name)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .none: try container.encode("none")
        case .auto: try container.encode("auto")
        case .required: try container.encode("required")
        case .function(let name): try container.encode(Named(type: "function", function: .init(name: name)))
        }
    }
}

/// Any JSON value (for schemas the host passes through, not interprets).
public indirect enum JSONValue: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let v = try? container.decode(Bool.self) { self = .bool(v) }
        else if let v = try? container.decode(Double.self) { self = .number(v) }
        else if let v = try? container.decode(String.self) { self = .string(v) }
        else if let v = try? container.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let v): try container.encode(v)
        case .number(let v): try container.encode(v)
        case .string(let v): try container.encode(v)
        case .array(let v): try container.encode(v)
        case .object(let v): try container.encode(v)
        }
    }
}
