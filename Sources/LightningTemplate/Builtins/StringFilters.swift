/// Filters that work on `str(value)`: case, trimming, replacing, indenting, escaping, counting words.
enum StringFilters {
    static func apply(_ name: String, _ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let text = value.pythonString
        switch name {
        case "upper":
            _ = try arguments.bind(name, [])
            return .string(PythonStringMethods.upper(text))
        case "lower":
            _ = try arguments.bind(name, [])
            return .string(PythonStringMethods.lower(text))
        case "capitalize":
            _ = try arguments.bind(name, [])
            return .string(PythonStringMethods.capitalize(text))
        case "title":
            _ = try arguments.bind(name, [])
            return .string(title(text))
        case "string", "safe":
            _ = try arguments.bind(name, [])
            if case .string = value { return value }
            return .string(text)
        case "e", "escape", "forceescape":
            _ = try arguments.bind(name, [])
            return .string(escape(text))
        case "trim":
            let chars = try arguments.bind(name, ["chars"])[0]
            var charText: String?
            if let chars, case .string(let given) = chars { charText = given }
            return .string(PythonString.strip(text, charText, leading: true, trailing: true))
        case "replace":
            let bound = try arguments.bind(name, ["old", "new", "count"], required: 2)
            var count = -1
            if let given = bound[2], case .int(let limit) = given { count = limit }
            return .string(PythonStringMethods.replace(text, bound[0]!.pythonString, bound[1]!.pythonString, count: count))
        case "center":
            let width = try arguments.bind(name, ["width"])[0] ?? .int(80)
            guard case .int(let columns) = width else { throw TemplateError(.type, "integer argument expected") }
            return .string(PythonStringMethods.pad(text, width: columns, fill: " ", align: "^", strCenter: true))
        case "indent":
            let bound = try arguments.bind(name, ["width", "first", "blank"])
            return .string(try indent(text, width: bound[0] ?? .int(4), first: bound[1]?.isTruthy ?? false, blank: bound[2]?.isTruthy ?? false))
        case "wordcount":
            _ = try arguments.bind(name, [])
            return .int(wordCount(text))
        case "truncate":
            let bound = try arguments.bind(name, ["length", "killwords", "end", "leeway"])
            return .string(try truncate(text, bound))
        case "format":
            if !arguments.keyword.isEmpty {
                var dict = Dict()
                for (key, item) in arguments.keyword { dict[key] = item }
                return .string(try PercentFormat.format(text, .dict(dict)))
            }
            return .string(try PercentFormat.format(text, .tuple(arguments.positional)))
        default:
            throw TemplateError(.syntax, "No filter named '\(name)'.")
        }
    }

    /// Jinja's `title`: each chunk after `[-\s({\[<]+` gets its first character upper-cased and the
    /// rest lower-cased.
    static func title(_ text: String) -> String {
        var out = ""
        var atWordStart = true
        for scalar in text.unicodeScalars {
            let separator = PythonString.isSpace(scalar) || "-({[<".unicodeScalars.contains(scalar)
            if separator {
                out.unicodeScalars.append(scalar)
                atWordStart = true
            } else if atWordStart {
                out += scalar.properties.uppercaseMapping
                atWordStart = false
            } else {
                out += scalar.properties.lowercaseMapping
            }
        }
        return out
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func indent(_ text: String, width: Value, first: Bool, blank: Bool) throws -> String {
        let indentation: String
        switch width {
        case .string(let given): indentation = given
        case .int(let count): indentation = String(repeating: " ", count: max(0, count))
        case .bool(let flag): indentation = flag ? " " : ""
        default: throw TemplateError(.type, "can't multiply sequence by non-int of type '\(width.typeName)'")
        }
        var lines = PythonString.splitLines(text + "\n")
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indentation)
        } else {
            result = lines.isEmpty ? "" : lines.removeFirst()
            if !lines.isEmpty {
                result += "\n" + lines.map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n")
            }
        }
        if first { result = indentation + result }
        return result
    }

    /// `len(re.findall(r"\w+", text))`.
    static func wordCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let isWord = scalar == "_" || PythonStringMethods.isAlpha(scalar) || scalar.properties.numericType != nil
                || scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark
            if isWord && !inWord { count += 1 }
            inWord = isWord
        }
        return count
    }

    private static func truncate(_ text: String, _ bound: [Value?]) throws -> String {
        func integer(_ value: Value?, _ defaultValue: Int) throws -> Int {
            guard let value else { return defaultValue }
            guard case .int(let result)? = Operators.number(value) else { throw TemplateError(.type, "integer argument expected") }
            return result
        }
        let length = try integer(bound[0], 255)
        let killWords = bound[1]?.isTruthy ?? false
        let end = bound[2]?.pythonString ?? "..."
        let leeway = try integer(bound[3], 5)
        let scalars = Array(text.unicodeScalars)
        let endLength = PythonString.length(end)
        guard length >= endLength else { throw TemplateError(.type, "expected length >= \(endLength), got \(length)") }
        guard leeway >= 0 else { throw TemplateError(.type, "expected leeway >= 0, got \(leeway)") }
        if scalars.count <= length + leeway { return text }
        let head = PythonString.make(scalars.prefix(length - endLength))
        if killWords { return head + end }
        return (try PythonStringMethods.rsplit(head, " ", maxSplit: 1)).first! + end
    }
}
