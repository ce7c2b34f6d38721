/// A named chat template from `tokenizer_config.json` (or `chat_template.jinja`).
public struct ChatTemplate: Sendable, Hashable {
    /// `"default"` for a single template; otherwise the name the list gives (`"tool_use"`, `"rag"`).
    public let name: String
    /// The Jinja source.
    public let template: String

    public init(name: String, template: String) {
        self.name = name
        self.template = template
    }

    /// The templates `tokenizer_config.json`'s `chat_template` holds: a string is one template named
    /// `"default"`; a list holds `{"name", "template"}` objects.
    static func parse(_ value: JSONValue, file: String) throws -> [ChatTemplate] {
        if let template = value.string {
            return [ChatTemplate(name: "default", template: template)]
        }
        guard let list = value.array else {
            throw FormatError(.invalidJSON, "\(file): chat_template is neither a string nor a list")
        }
        return try list.enumerated().map { i, entry in
            guard let name = entry["name"]?.string, let template = entry["template"]?.string else {
                throw FormatError(.invalidJSON, "\(file): chat_template[\(i)] has no string 'name' and 'template'")
            }
            return ChatTemplate(name: name, template: template)
        }
    }
}
