/// Attribute and item access with `ImmutableSandboxedEnvironment` semantics: `obj.name` tries the
/// Python attribute (methods) first and then the key; `obj[key]` tries the key first and then the
/// attribute; misses give an undefined value that remembers why; methods that would modify a list or
/// dict are refused.
enum Access {
    static func missingAttribute(_ object: Value, _ name: String) -> Value {
        .undefined("'\(object.objectTypeRepr)' has no attribute '\(name)'")
    }

    static func missingElement(_ object: Value, _ key: Value) -> Value {
        .undefined("\(object.objectTypeRepr) has no element \(key.pythonRepr)")
    }

    static func attribute(_ object: Value, _ name: String) throws -> Value {
        if case .undefined(let undefined) = object { throw undefined.error() }
        if name.hasPrefix("_") {
            return .undefined("access to attribute '\(name)' of '\(object.typeName)' object is unsafe.", security: true)
        }
        if let method = try Methods.lookup(object, name) { return method }
        switch object {
        case .dict(let dict):
            return dict[name] ?? missingAttribute(object, name)
        case .namespace(let namespace):
            return namespace.attributes[name] ?? missingAttribute(object, name)
        case .loop(let loop):
            return loopAttribute(loop, name) ?? missingAttribute(object, name)
        default:
            return missingAttribute(object, name)
        }
    }

    static func item(_ object: Value, _ key: Value) throws -> Value {
        if case .undefined(let undefined) = object { throw undefined.error() }
        switch (object, key) {
        case (.dict(let dict), .string(let name)):
            if let value = dict[name] { return value }
        case (.list(let items), _), (.tuple(let items), _):
            if let index = Operators.number(key), case .int(let position) = index {
                let resolved = position < 0 ? position + items.count : position
                if resolved >= 0 && resolved < items.count { return items[resolved] }
                return missingElement(object, key)
            }
        case (.string(let text), _):
            if let index = Operators.number(key), case .int(let position) = index {
                let scalars = Array(text.unicodeScalars)
                let resolved = position < 0 ? position + scalars.count : position
                if resolved >= 0 && resolved < scalars.count { return .string(String(scalars[resolved])) }
                return missingElement(object, key)
            }
        case (.loop(let loop), .string(let name)):
            // LoopContext is not subscriptable; Jinja falls back to the attribute.
            return loopAttribute(loop, name) ?? missingAttribute(object, name)
        default:
            break
        }
        if case .string(let name) = key { return try attribute(object, name) }
        if case .undefined(let undefined) = key, case .dict = object { throw undefined.error() }
        return missingElement(object, key)
    }

    static func slice(_ object: Value, _ start: Value, _ stop: Value, _ step: Value) throws -> Value {
        if case .undefined(let undefined) = object { throw undefined.error() }
        func bound(_ value: Value) throws -> Int? {
            switch value {
            case .none: return nil
            case .int(let integer): return integer
            case .bool(let flag): return flag ? 1 : 0
            default: throw TemplateError(.type, "slice indices must be integers or None or have an __index__ method")
            }
        }
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw TemplateError(.type, "slice step cannot be zero") }
        func indices(_ count: Int) throws -> [Int] {
            let (lower, upper) = stepValue < 0 ? (-1, count - 1) : (0, count)
            func adjust(_ value: Int?, _ defaultValue: Int) -> Int {
                guard var value else { return defaultValue }
                if value < 0 {
                    value += count
                    return value < lower ? lower : value
                }
                return value > upper ? upper : value
            }
            let first = adjust(try bound(start), stepValue < 0 ? upper : lower)
            let last = adjust(try bound(stop), stepValue < 0 ? lower : upper)
            return Array(stride(from: first, to: last, by: stepValue))
        }
        switch object {
        case .list(let items): return .list(try indices(items.count).map { items[$0] })
        case .tuple(let items): return .tuple(try indices(items.count).map { items[$0] })
        case .string(let text):
            let scalars = Array(text.unicodeScalars)
            return .string(PythonString.make(try indices(scalars.count).map { scalars[$0] }))
        default:
            return .undefined("\(object.objectTypeRepr) has no element slice")
        }
    }

    static func loopAttribute(_ loop: LoopContext, _ name: String) -> Value? {
        let index0 = loop.index0
        switch name {
        case "index": return .int(index0 + 1)
        case "index0": return .int(index0)
        case "revindex": return .int(loop.length - index0)
        case "revindex0": return .int(loop.length - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == loop.length - 1)
        case "length": return .int(loop.length)
        case "depth": return .int(loop.depth0 + 1)
        case "depth0": return .int(loop.depth0)
        case "previtem": return index0 > 0 ? loop.items[index0 - 1] : .undefined("there is no previous item")
        case "nextitem": return index0 + 1 < loop.length ? loop.items[index0 + 1] : .undefined("there is no next item")
        case "cycle":
            return .callable(Callable(name: "cycle", isMacro: false) { arguments, _ in
                guard !arguments.positional.isEmpty else { throw TemplateError(.type, "no items for cycling given") }
                return arguments.positional[index0 % arguments.positional.count]
            })
        case "changed":
            return .callable(Callable(name: "changed", isMacro: false) { arguments, _ in
                let values = arguments.positional
                if let last = loop.lastChanged, last.count == values.count, zip(last, values).allSatisfy({ Operators.equal($0, $1) }) {
                    return .bool(false)
                }
                loop.lastChanged = values
                return .bool(true)
            })
        default: return nil
        }
    }
}
