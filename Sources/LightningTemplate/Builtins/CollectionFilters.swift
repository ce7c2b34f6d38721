/// Filters over sequences and mappings: length, first/last, join, sort, unique, map, select, items...
enum CollectionFilters {
    static func apply(_ name: String, _ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        switch name {
        case "length", "count":
            _ = try arguments.bind(name, [])
            return .int(try length(value))
        case "default", "d":
            let bound = try arguments.bind(name, ["default_value", "boolean"])
            if value.isUndefined || (bound[1]?.isTruthy ?? false) && !value.isTruthy { return bound[0] ?? .empty }
            return value
        case "list":
            _ = try arguments.bind(name, [])
            return .list(try interpreter.iterate(value))
        case "first":
            _ = try arguments.bind(name, [])
            return try interpreter.iterate(value).first ?? .undefined("No first item, sequence was empty.")
        case "last":
            _ = try arguments.bind(name, [])
            return try interpreter.iterate(value).last ?? .undefined("No last item, sequence was empty.")
        case "reverse":
            _ = try arguments.bind(name, [])
            if case .string(let text) = value { return .string(PythonString.make(text.unicodeScalars.reversed())) }
            if case .undefined(let undefined) = value { throw undefined.error() }
            return .list(try interpreter.iterate(value).reversed())
        case "join":
            let bound = try arguments.bind(name, ["d", "attribute"])
            var items = try interpreter.iterate(value)
            if let attribute = bound[1], !attribute.isUndefined { items = try items.map(attributeGetter(attribute)) }
            return .string(items.map(\.pythonString).joined(separator: (bound[0] ?? .empty).pythonString))
        case "items":
            _ = try arguments.bind(name, [])
            switch value {
            case .undefined: return .list([])
            case .dict(let dict): return .list(dict.pairs.map { .tuple([.string($0.key), $0.value]) })
            default: throw TemplateError(.type, "Can only get item pairs from a mapping.")
            }
        case "dictsort":
            let bound = try arguments.bind(name, ["case_sensitive", "by", "reverse"])
            guard case .dict(let dict) = value else {
                if case .undefined(let undefined) = value { throw undefined.error() }
                throw TemplateError(.type, "'\(value.typeName)' object has no attribute 'items'")
            }
            let by = (bound[1] ?? .string("key")).pythonString
            guard by == "key" || by == "value" else { throw TemplateError(.type, "You can only sort by either \"key\" or \"value\"") }
            let caseSensitive = bound[0]?.isTruthy ?? false
            let pairs: [Value] = dict.pairs.map { .tuple([.string($0.key), $0.value]) }
            let sorted = try stableSort(pairs, reverse: bound[2]?.isTruthy ?? false) { pair in
                guard case .tuple(let items) = pair else { return pair }
                let key = items[by == "key" ? 0 : 1]
                return caseSensitive ? key : ignoreCase(key)
            }
            return .list(sorted)
        case "sort":
            let bound = try arguments.bind(name, ["reverse", "case_sensitive", "attribute"])
            let key = try sortKey(attribute: bound[2], caseSensitive: bound[1]?.isTruthy ?? false)
            return .list(try stableSort(try interpreter.iterate(value), reverse: bound[0]?.isTruthy ?? false, key: key))
        case "unique":
            let bound = try arguments.bind(name, ["case_sensitive", "attribute"])
            let key = try sortKey(attribute: bound[1], caseSensitive: bound[0]?.isTruthy ?? false)
            var seen: [Value] = []
            var result: [Value] = []
            for item in try interpreter.iterate(value) {
                let itemKey = try key(item)
                if case .list = itemKey { throw TemplateError(.type, "unhashable type: 'list'") }
                if case .dict = itemKey { throw TemplateError(.type, "unhashable type: 'dict'") }
                if !seen.contains(where: { Operators.equal($0, itemKey) }) {
                    seen.append(itemKey)
                    result.append(item)
                }
            }
            return .list(result)
        case "map":
            return .list(try map(value, arguments, interpreter))
        case "select", "reject", "selectattr", "rejectattr":
            return .list(try select(name, value, arguments, interpreter))
        case "attr":
            let attribute = try arguments.bind(name, ["name"], required: 1)[0]!
            return try Access.attribute(value, attribute.pythonString)
        case "batch":
            let bound = try arguments.bind(name, ["linecount", "fill_with"], required: 1)
            guard case .int(let size) = bound[0]!, size > 0 else { throw TemplateError(.type, "batch size must be a positive integer") }
            var batches: [Value] = []
            var current: [Value] = []
            for item in try interpreter.iterate(value) {
                if current.count == size {
                    batches.append(.list(current))
                    current = []
                }
                current.append(item)
            }
            if !current.isEmpty {
                if let fill = bound[1], !fill.isNone {
                    while current.count < size { current.append(fill) }
                }
                batches.append(.list(current))
            }
            return .list(batches)
        default:
            throw TemplateError(.syntax, "No filter named '\(name)'.")
        }
    }

    static func length(_ value: Value) throws -> Int {
        switch value {
        case .undefined: return 0
        case .string(let text): return PythonString.length(text)
        case .list(let items), .tuple(let items): return items.count
        case .dict(let dict): return dict.count
        case .loop(let loop): return loop.length
        default: throw TemplateError(.type, "object of type '\(value.typeName)' has no len()")
        }
    }

    static func ignoreCase(_ value: Value) -> Value {
        if case .string(let text) = value { return .string(PythonStringMethods.lower(text)) }
        return value
    }

    /// Jinja's `make_attrgetter`: `"a.b.0"` walks item by item with `getitem` semantics.
    static func attributeGetter(_ attribute: Value, defaultValue: Value? = nil) throws -> (Value) throws -> Value {
        var parts: [Value] = []
        switch attribute {
        case .string(let path):
            for part in path.split(separator: ".", omittingEmptySubsequences: false) {
                let text = String(part)
                if !text.isEmpty, text.unicodeScalars.allSatisfy(PythonStringMethods.isDigit), let index = Int(text) {
                    parts.append(.int(index))
                } else {
                    parts.append(.string(text))
                }
            }
        case .int:
            parts = [attribute]
        default:
            parts = [attribute]
        }
        return { item in
            var current = item
            for part in parts {
                current = try Access.item(current, part)
                if let defaultValue, current.isUndefined { current = defaultValue }
            }
            return current
        }
    }

    static func sortKey(attribute: Value?, caseSensitive: Bool) throws -> (Value) throws -> Value {
        let getter: (Value) throws -> Value
        if let attribute, !attribute.isUndefined, !(attribute.isNone) {
            getter = try attributeGetter(attribute)
        } else {
            getter = { $0 }
        }
        return { item in
            let key = try getter(item)
            return caseSensitive ? key : ignoreCase(key)
        }
    }

    /// Python's stable `sorted(items, key=key, reverse=reverse)`.
    static func stableSort(_ items: [Value], reverse: Bool, key: (Value) throws -> Value) throws -> [Value] {
        let keyed = try items.enumerated().map { (offset: $0.offset, key: try key($0.element), item: $0.element) }
        var failure: (any Error)?
        let sorted = keyed.sorted { lhs, rhs in
            do {
                if reverse {
                    if try Operators.less(rhs.key, lhs.key, "<") { return true }
                    if try Operators.less(lhs.key, rhs.key, "<") { return false }
                } else {
                    if try Operators.less(lhs.key, rhs.key, "<") { return true }
                    if try Operators.less(rhs.key, lhs.key, "<") { return false }
                }
            } catch {
                failure = error
            }
            return lhs.offset < rhs.offset
        }
        if let failure { throw failure }
        return sorted.map(\.item)
    }

    private static func map(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> [Value] {
        let items = try interpreter.iterate(value)
        if arguments.positional.isEmpty, let attribute = arguments.keyword.first(where: { $0.0 == "attribute" })?.1 {
            let defaultValue = arguments.keyword.first(where: { $0.0 == "default" })?.1
            if let unexpected = arguments.keyword.first(where: { $0.0 != "attribute" && $0.0 != "default" }) {
                throw TemplateError(.type, "Unexpected keyword argument '\(unexpected.0)'")
            }
            let getter = try attributeGetter(attribute, defaultValue: defaultValue)
            return try items.map(getter)
        }
        guard let filterName = arguments.positional.first else { throw TemplateError(.type, "map requires a filter argument") }
        guard case .string(let name) = filterName else { throw TemplateError(.type, "map filter name must be a string") }
        guard Builtins.filterNames.contains(name) else {
            throw TemplateError(Builtins.unsupportedFilterNames.contains(name) ? .unsupported : .type, "No filter named '\(name)'.")
        }
        let rest = Arguments(positional: Array(arguments.positional.dropFirst()), keyword: arguments.keyword)
        return try items.map { try Builtins.applyFilter(name, $0, rest, interpreter) }
    }

    private static func select(_ filter: String, _ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> [Value] {
        let byAttribute = filter.hasSuffix("attr")
        let keep = filter.hasPrefix("select")
        var positional = arguments.positional
        var transform: (Value) throws -> Value = { $0 }
        if byAttribute {
            guard !positional.isEmpty else { throw TemplateError(.type, "Missing parameter for attribute name") }
            transform = try attributeGetter(positional.removeFirst())
        }
        var test: (Value) throws -> Bool = { $0.isTruthy }
        if !positional.isEmpty {
            guard case .string(let testName) = positional.removeFirst() else { throw TemplateError(.type, "test name must be a string") }
            guard Builtins.testNames.contains(testName) else { throw TemplateError(.type, "No test named '\(testName)'.") }
            let rest = Arguments(positional: positional, keyword: arguments.keyword)
            test = { try Builtins.applyTest(testName, $0, rest, interpreter) }
        }
        return try interpreter.iterate(value).filter { try test(try transform($0)) == keep }
    }
}

extension Value {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}
