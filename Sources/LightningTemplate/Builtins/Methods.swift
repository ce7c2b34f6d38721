/// Bound methods of `str`, `dict` and `list` values (`'a b'.split()`, `message.get('x')`,
/// `tools.items()`); the sandbox refuses the ones that would modify a list or dict.
enum Methods {
    private static let unsafeDict: Set<String> = ["clear", "pop", "popitem", "setdefault", "update"]
    private static let unsafeList: Set<String> = ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"]
    private static let stringNames: Set<String> = [
        "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format", "format_map",
        "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric",
        "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition",
        "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split",
        "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill",
    ]
    private static let dictNames: Set<String> = ["clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"]
    private static let listNames: Set<String> = ["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"]

    /// The bound method `name` of `object`, if Python has one.
    static func lookup(_ object: Value, _ name: String) throws -> Value? {
        switch object {
        case .string(let text) where stringNames.contains(name):
            return bind(name) { arguments, interpreter in try string(text, name, arguments, interpreter) }
        case .dict(let dict) where dictNames.contains(name):
            if unsafeDict.contains(name) { return unsafe(name, "dict") }
            return bind(name) { arguments, _ in try self.dict(dict, name, arguments) }
        case .list(let items) where listNames.contains(name), .tuple(let items) where name == "count" || name == "index":
            if unsafeList.contains(name) { return unsafe(name, "list") }
            return bind(name) { arguments, _ in try list(items, name, arguments) }
        default:
            return nil
        }
    }

    private static func unsafe(_ name: String, _ type: String) -> Value {
        .undefined("access to attribute '\(name)' of '\(type)' object is unsafe.", security: true)
    }

    private static func bind(_ name: String, _ body: @escaping (Arguments, Interpreter) throws -> Value) -> Value {
        .callable(Callable(name: name, isMacro: false, invoke: body))
    }

    private static func text(_ value: Value?, _ method: String) throws -> String? {
        guard let value else { return nil }
        switch value {
        case .none: return nil
        case .string(let text): return text
        case .undefined(let undefined): throw undefined.error()
        default: throw TemplateError(.type, "\(method)() argument must be str or None, not \(value.typeName)")
        }
    }

    private static func integer(_ value: Value?, _ defaultValue: Int) throws -> Int {
        guard let value else { return defaultValue }
        switch value {
        case .int(let integer): return integer
        case .bool(let flag): return flag ? 1 : 0
        case .undefined(let undefined): throw undefined.error()
        default: throw TemplateError(.type, "'\(value.typeName)' object cannot be interpreted as an integer")
        }
    }

    private static func string(_ text: String, _ name: String, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let scalars = Array(text.unicodeScalars)
        switch name {
        case "upper": return .string(PythonStringMethods.upper(text))
        case "lower", "casefold": return .string(PythonStringMethods.lower(text))
        case "title": return .string(PythonStringMethods.title(text))
        case "capitalize": return .string(PythonStringMethods.capitalize(text))
        case "swapcase": return .string(PythonStringMethods.swapcase(text))
        case "strip", "lstrip", "rstrip":
            let chars = try self.text(try arguments.bind(name, ["chars"])[0], name)
            return .string(PythonString.strip(text, chars, leading: name != "rstrip", trailing: name != "lstrip"))
        case "split", "rsplit":
            let bound = try arguments.bind(name, ["sep", "maxsplit"])
            let separator = try self.text(bound[0], name)
            let maxSplit = try integer(bound[1], -1)
            let parts = name == "split"
                ? try PythonStringMethods.split(text, separator, maxSplit: maxSplit)
                : try PythonStringMethods.rsplit(text, separator, maxSplit: maxSplit)
            return .list(parts.map(Value.string))
        case "splitlines":
            let keep = try arguments.bind(name, ["keepends"])[0]?.isTruthy ?? false
            return .list(PythonString.splitLines(text, keepEnds: keep).map(Value.string))
        case "startswith", "endswith":
            let bound = try arguments.bind(name, ["prefix", "start", "end"], required: 1)
            let (lower, upper) = PythonStringMethods.clamp(scalars.count, try integer(bound[1], 0), try bound[2].map { try integer($0, 0) })
            let window = lower <= upper ? Array(scalars[lower..<upper]) : []
            var candidates: [String] = []
            switch bound[0]! {
            case .string(let single): candidates = [single]
            case .tuple(let items):
                for item in items {
                    guard case .string(let candidate) = item else { throw TemplateError(.type, "tuple for \(name) must only contain str") }
                    candidates.append(candidate)
                }
            default: throw TemplateError(.type, "\(name) first arg must be str or a tuple of str, not \(bound[0]!.typeName)")
            }
            return .bool(candidates.contains { candidate in
                let pin = Array(candidate.unicodeScalars)
                guard pin.count <= window.count, lower <= scalars.count else { return false }
                return name == "startswith" ? window.prefix(pin.count).elementsEqual(pin) : window.suffix(pin.count).elementsEqual(pin)
            })
        case "find", "rfind", "index", "rindex", "count":
            let bound = try arguments.bind(name, ["sub", "start", "end"], required: 1)
            guard case .string(let needle) = bound[0]! else { throw TemplateError(.type, "must be str, not \(bound[0]!.typeName)") }
            let start = try integer(bound[1], 0)
            let end = try bound[2].map { try integer($0, 0) }
            if name == "count" {
                let (lower, upper) = PythonStringMethods.clamp(scalars.count, start, end)
                return .int(lower > upper ? 0 : PythonStringMethods.count(PythonString.make(scalars[lower..<upper]), needle))
            }
            let pin = Array(needle.unicodeScalars)
            let found = name.hasPrefix("r")
                ? PythonStringMethods.rfind(scalars, pin, from: start, to: end)
                : PythonStringMethods.find(scalars, pin, from: start, to: end)
            if found < 0 && name.hasSuffix("index") { throw TemplateError(.type, "substring not found") }
            return .int(found)
        case "replace":
            let bound = try arguments.bind(name, ["old", "new", "count"], required: 2)
            guard case .string(let old) = bound[0]!, case .string(let new) = bound[1]! else {
                throw TemplateError(.type, "replace() argument must be str")
            }
            return .string(PythonStringMethods.replace(text, old, new, count: try integer(bound[2], -1)))
        case "join":
            let items = try interpreter.iterate(try arguments.bind(name, ["iterable"], required: 1)[0]!)
            var parts: [String] = []
            for (offset, item) in items.enumerated() {
                guard case .string(let part) = item else {
                    throw TemplateError(.type, "sequence item \(offset): expected str instance, \(item.typeName) found")
                }
                parts.append(part)
            }
            return .string(parts.joined(separator: text))
        case "format":
            return .string(try FormatString.format(text, arguments))
        case "removeprefix", "removesuffix":
            guard case .string(let affix)? = try arguments.bind(name, ["prefix"], required: 1)[0] else {
                throw TemplateError(.type, "\(name)() argument must be str")
            }
            let pin = Array(affix.unicodeScalars)
            if name == "removeprefix", scalars.starts(with: pin) { return .string(PythonString.make(scalars.dropFirst(pin.count))) }
            if name == "removesuffix", !pin.isEmpty, scalars.count >= pin.count, scalars.suffix(pin.count).elementsEqual(pin) {
                return .string(PythonString.make(scalars.dropLast(pin.count)))
            }
            return .string(text)
        case "partition", "rpartition":
            guard case .string(let separator)? = try arguments.bind(name, ["sep"], required: 1)[0], !separator.isEmpty else {
                throw TemplateError(.type, "empty separator")
            }
            let pin = Array(separator.unicodeScalars)
            let found = name == "partition" ? PythonStringMethods.find(scalars, pin) : PythonStringMethods.rfind(scalars, pin)
            if found < 0 {
                return name == "partition" ? .tuple([.string(text), .empty, .empty]) : .tuple([.empty, .empty, .string(text)])
            }
            return .tuple([.string(PythonString.make(scalars[..<found])), .string(separator), .string(PythonString.make(scalars[(found + pin.count)...]))])
        case "center", "ljust", "rjust":
            let bound = try arguments.bind(name, ["width", "fillchar"], required: 1)
            var fill: Unicode.Scalar = " "
            if let given = try self.text(bound[1], name) {
                guard given.unicodeScalars.count == 1 else { throw TemplateError(.type, "The fill character must be exactly one character long") }
                fill = given.unicodeScalars.first!
            }
            let align: Character = name == "center" ? "^" : (name == "ljust" ? "<" : ">")
            return .string(PythonStringMethods.pad(text, width: try integer(bound[0], 0), fill: fill, align: align, strCenter: true))
        case "zfill":
            let width = try integer(try arguments.bind(name, ["width"], required: 1)[0], 0)
            guard scalars.count < width else { return .string(text) }
            var body = scalars
            var sign: [Unicode.Scalar] = []
            if let first = body.first, first == "+" || first == "-" { sign = [first]; body.removeFirst() }
            return .string(PythonString.make(sign + Array(repeating: "0", count: width - scalars.count) + body))
        case "isdigit", "isdecimal", "isnumeric":
            return .bool(!scalars.isEmpty && scalars.allSatisfy(PythonStringMethods.isDigit))
        case "isalpha": return .bool(!scalars.isEmpty && scalars.allSatisfy(PythonStringMethods.isAlpha))
        case "isalnum": return .bool(!scalars.isEmpty && scalars.allSatisfy { PythonStringMethods.isAlpha($0) || PythonStringMethods.isDigit($0) })
        case "isspace": return .bool(!scalars.isEmpty && scalars.allSatisfy(PythonString.isSpace))
        case "isascii": return .bool(scalars.allSatisfy { $0.isASCII })
        case "isupper", "islower":
            let cased = scalars.filter(PythonStringMethods.isCased)
            let wanted: (Unicode.Scalar) -> Bool = name == "isupper" ? { !$0.properties.isLowercase } : { !$0.properties.isUppercase }
            return .bool(!cased.isEmpty && cased.allSatisfy(wanted))
        default:
            throw TemplateError(.unsupported, "the str method '\(name)' is not supported")
        }
    }

    private static func dict(_ dict: Dict, _ name: String, _ arguments: Arguments) throws -> Value {
        switch name {
        case "get":
            let bound = try arguments.bind(name, ["key", "default"], required: 1)
            if case .string(let key) = bound[0]!, let value = dict[key] { return value }
            return bound[1] ?? .none
        case "items":
            _ = try arguments.bind(name, [])
            return .list(dict.pairs.map { .tuple([.string($0.key), $0.value]) })
        case "keys":
            _ = try arguments.bind(name, [])
            return .list(dict.keys.map(Value.string))
        case "values":
            _ = try arguments.bind(name, [])
            return .list(dict.values)
        case "copy":
            return .dict(dict)
        default:
            throw TemplateError(.unsupported, "the dict method '\(name)' is not supported")
        }
    }

    private static func list(_ items: [Value], _ name: String, _ arguments: Arguments) throws -> Value {
        switch name {
        case "count":
            let needle = try arguments.bind(name, ["value"], required: 1)[0]!
            return .int(items.filter { Operators.equal($0, needle) }.count)
        case "index":
            let needle = try arguments.bind(name, ["value"], required: 1)[0]!
            guard let found = items.firstIndex(where: { Operators.equal($0, needle) }) else {
                throw TemplateError(.type, "\(needle.pythonRepr) is not in list")
            }
            return .int(found)
        case "copy":
            return .list(items)
        default:
            throw TemplateError(.unsupported, "the list method '\(name)' is not supported")
        }
    }
}
