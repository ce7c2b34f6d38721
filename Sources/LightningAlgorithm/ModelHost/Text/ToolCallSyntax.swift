import Foundation
import LightningOpenAI

/// How a model writes tool calls in its reply, as its chat template teaches it.
public enum ToolCallSyntax: String, Sendable, Hashable {
    /// Qwen2.5 and Hermes: `<tool_call>{"name": …, "arguments": {…}}</tool_call>`, one block per call,
    /// possibly after some text.
    case hermes
    /// Llama 3.1+: the whole reply is `{"name": …, "parameters": {…}}` (optionally after
    /// `<|python_tag|>`), several calls separated by `;`.
    case llama3JSON

    /// The syntax a chat template uses, judged by what it writes (nil: the template offers no tools).
    public static func detect(template: String) -> ToolCallSyntax? {
        if template.contains("<tool_call>") { return .hermes }
        if template.contains("tools") && (template.contains("\"parameters\"") || template.contains("<|python_tag|>") || template.contains("ipython")) {
            return .llama3JSON
        }
        return nil
    }

    /// The start of a call that a forced `tool_choice` puts at the start of the reply (the model
    /// continues it), nil when the model chooses.
    func forcedPrefix(for choice: ToolChoice?) -> String? {
        switch (self, choice) {
        case (.hermes, .function(let name)?): "<tool_call>\n{\"name\": \"\(name)\", \"arguments\": "
        case (.hermes, .required?): "<tool_call>\n{\"name\": \""
        case (.llama3JSON, .function(let name)?): "{\"name\": \"\(name)\", \"parameters\": "
        case (.llama3JSON, .required?): "{\"name\": \""
        default: nil
        }
    }

    /// The text where a tool call would begin: streamed text is held back from here on.
    var opener: String {
        switch self {
        case .hermes: "<tool_call>"
        case .llama3JSON: "{"
        }
    }

    /// The text that ends one call, where the syntax has one.
    var closer: String? {
        switch self {
        case .hermes: "</tool_call>"
        case .llama3JSON: nil
        }
    }

    /// The start of `text` that is surely message content (text before any possible tool call).
    func contentPrefixLength(of text: String) -> Int {
        let bytes = Array(text.utf8), opener = Array(self.opener.utf8)
        switch self {
        case .hermes:
            // Hold back from the first full opener, or a suffix that may grow into one.
            if let range = text.range(of: self.opener) { return text.utf8.distance(from: text.startIndex, to: range.lowerBound) }
            for length in stride(from: min(opener.count - 1, bytes.count), through: 1, by: -1)
            where bytes[(bytes.count - length)...].elementsEqual(opener[0..<length]) {
                return bytes.count - length
            }
            return bytes.count
        case .llama3JSON:
            // A call is the whole reply: hold back everything while the reply may still be one.
            let trimmed = text.drop(while: \.isWhitespace)
            if trimmed.isEmpty || trimmed.hasPrefix("{") || "<|python_tag|>".hasPrefix(trimmed.prefix(14)) || trimmed.hasPrefix("<|python_tag|>") {
                return 0
            }
            return bytes.count
        }
    }

    /// Splits a finished reply into its content and its tool calls (none when it holds no well-formed
    /// call: then the whole reply is content).
    public func parse(_ text: String, idPrefix: String) -> (content: String?, calls: [ToolCall]) {
        var calls: [ToolCall] = []
        var content = text
        switch self {
        case .hermes:
            guard let first = text.range(of: "<tool_call>") else { return (text, []) }
            var rest = text[first.lowerBound...]
            while let open = rest.range(of: "<tool_call>") {
                let after = rest[open.upperBound...]
                let close = after.range(of: "</tool_call>")
                let body = close.map { after[..<$0.lowerBound] } ?? after
                guard let call = Self.call(fromJSON: String(body), argumentsKeys: ["arguments", "parameters"], id: "\(idPrefix)\(calls.count)") else {
                    return (text, [])
                }
                calls.append(call)
                rest = close.map { after[$0.upperBound...] } ?? ""
            }
            // Text after the last call is not part of the message (the call ends the turn; its
            // tokens stay in the recorded response).
            content = String(text[..<first.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
        case .llama3JSON:
            var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if body.hasPrefix("<|python_tag|>") { body.removeFirst("<|python_tag|>".count) }
            guard body.hasPrefix("{") else { return (text, []) }
            for part in Self.topLevelObjects(body) ?? [] {
                guard let call = Self.call(fromJSON: part, argumentsKeys: ["parameters", "arguments"], id: "\(idPrefix)\(calls.count)") else {
                    return (text, [])
                }
                calls.append(call)
            }
            guard !calls.isEmpty else { return (text, []) }
            content = ""
        }
        return (content.isEmpty ? nil : content, calls)
    }

    /// A call from `{"name": "...", "<arguments>": {...}}`; the arguments keep the model's own text
    /// (key order and spacing as generated), a string value is taken as already-encoded arguments.
    private static func call(fromJSON json: String, argumentsKeys: [String], id: String) -> ToolCall? {
        let json = json.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let name = object["name"] as? String, !name.isEmpty,
              let members = Self.members(ofObject: json) else { return nil }
        guard let raw = argumentsKeys.lazy.compactMap({ key in members.first { $0.key == key }?.value }).first else {
            return ToolCall(id: id, type: "function", function: .init(name: name, arguments: "{}"))
        }
        let arguments: String
        if raw.hasPrefix("{") {
            arguments = raw
        } else if let string = argumentsKeys.lazy.compactMap({ object[$0] as? String }).first {
            arguments = string
        } else {
            return nil
        }
        return ToolCall(id: id, type: "function", function: .init(name: name, arguments: arguments))
    }

    /// The keys and raw value texts of a (valid) JSON object's members.
    private static func members(ofObject json: String) -> [(key: String, value: String)]? {
        let chars = Array(json)
        var i = 0, result: [(key: String, value: String)] = []
        func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }
        func skipValue() {
            var depth = 0, inString = false, escaped = false
            while i < chars.count {
                let c = chars[i]
                if inString {
                    if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                } else if c == "\"" { inString = true }
                else if c == "{" || c == "[" { depth += 1 }
                else if c == "}" || c == "]" { if depth == 0 { return }; depth -= 1 }
                else if c == ",", depth == 0 { return }
                i += 1
            }
        }
        skipSpace()
        guard i < chars.count, chars[i] == "{" else { return nil }
        i += 1
        while true {
            skipSpace()
            guard i < chars.count else { return nil }
            if chars[i] == "}" { return result }
            guard chars[i] == "\"" else { return nil }
            let keyStart = i
            i += 1
            var escaped = false
            while i < chars.count, escaped || chars[i] != "\"" {
                escaped = !escaped && chars[i] == "\\"
                i += 1
            }
            i += 1
            guard let keyData = String(chars[keyStart..<min(i, chars.count)]).data(using: .utf8),
                  let key = try? JSONSerialization.jsonObject(with: keyData, options: [.fragmentsAllowed]) as? String else { return nil }
            skipSpace()
            guard i < chars.count, chars[i] == ":" else { return nil }
            i += 1
            skipSpace()
            let valueStart = i
            skipValue()
            result.append((key, String(chars[valueStart..<i]).trimmingCharacters(in: .whitespacesAndNewlines)))
            guard i < chars.count else { return nil }
            if chars[i] == "," { i += 1 }
        }
    }

    /// The top-level JSON objects of `text` separated by `;` or whitespace (nil if anything else is there).
    private static func topLevelObjects(_ text: String) -> [String]? {
        var objects: [String] = [], depth = 0, inString = false, escaped = false
        var start: String.Index?
        for index in text.indices {
            let c = text[index]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            switch c {
            case "\"": inString = true
            case "{":
                if depth == 0 { start = index }
                depth += 1
            case "}":
                depth -= 1
                if depth == 0, let s = start { objects.append(String(text[s...index])) }
                if depth < 0 { return nil }
            default:
                if depth == 0 && !(c == ";" || c.isWhitespace) { return nil }
            }
        }
        return depth == 0 ? objects : nil
    }
}
