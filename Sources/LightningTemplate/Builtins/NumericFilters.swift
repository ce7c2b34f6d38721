import Foundation

/// `abs`, `int`, `float`, `round`, `sum`, `min`, `max`.
enum NumericFilters {
    static func apply(_ name: String, _ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        switch name {
        case "abs":
            _ = try arguments.bind(name, [])
            if case .undefined(let undefined) = value { throw undefined.error() }
            switch Operators.number(value) {
            case .int(let integer):
                guard integer != .min else { throw Operators.overflow("abs") }
                return .int(Swift.abs(integer))
            case .double(let double): return .double(Swift.abs(double))
            case nil: throw TemplateError(.type, "bad operand type for abs(): '\(value.typeName)'")
            }
        case "int":
            let bound = try arguments.bind(name, ["default", "base"])
            return try toInt(value, defaultValue: bound[0] ?? .int(0), base: bound[1] ?? .int(10))
        case "float":
            let bound = try arguments.bind(name, ["default"])
            return try toFloat(value) ?? bound[0] ?? .double(0)
        case "round":
            let bound = try arguments.bind(name, ["precision", "method"])
            return try round(value, precision: bound[0] ?? .int(0), method: bound[1] ?? .string("common"))
        case "sum":
            let bound = try arguments.bind(name, ["attribute", "start"])
            var total = bound[1] ?? .int(0)
            var items = try interpreter.iterate(value)
            if let attribute = bound[0], !(attribute.isUndefined) {
                items = try items.map { try CollectionFilters.attributeGetter(attribute)($0) }
            }
            for item in items { total = try Operators.binary(.add, total, item) }
            return total
        case "min", "max":
            let bound = try arguments.bind(name, ["case_sensitive", "attribute"])
            let caseSensitive = bound[0]?.isTruthy ?? false
            let items = try interpreter.iterate(value)
            guard !items.isEmpty else {
                return .undefined("No aggregated item, sequence was empty.")
            }
            let getter = try CollectionFilters.sortKey(attribute: bound[1], caseSensitive: caseSensitive)
            var best = items[0]
            var bestKey = try getter(best)
            for item in items.dropFirst() {
                let key = try getter(item)
                let better = name == "min" ? try Operators.less(key, bestKey, "<") : try Operators.less(bestKey, key, "<")
                if better {
                    best = item
                    bestKey = key
                }
            }
            return best
        default:
            throw TemplateError(.syntax, "No filter named '\(name)'.")
        }
    }

    /// Python `int(text, base)`: optional whitespace and sign, underscores between digits.
    static func parseInt(_ text: String, base: Int) -> Int? {
        var body = PythonString.strip(text, nil, leading: true, trailing: true)
        var negative = false
        if body.hasPrefix("-") || body.hasPrefix("+") {
            negative = body.hasPrefix("-")
            body.removeFirst()
        }
        var radix = base
        let lower = body.lowercased()
        if base == 16 && lower.hasPrefix("0x") || base == 8 && lower.hasPrefix("0o") || base == 2 && lower.hasPrefix("0b") {
            body.removeFirst(2)
        } else if base == 0 {
            if lower.hasPrefix("0x") { radix = 16; body.removeFirst(2) }
            else if lower.hasPrefix("0o") { radix = 8; body.removeFirst(2) }
            else if lower.hasPrefix("0b") { radix = 2; body.removeFirst(2) }
            else { radix = 10 }
        }
        guard !body.isEmpty, !body.hasPrefix("_"), !body.hasSuffix("_"), !body.contains("__") else { return nil }
        let digits = body.replacingOccurrences("_", "")
        guard digits.unicodeScalars.allSatisfy({ $0.isASCII }), let magnitude = Int(digits, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// Python `float(text)`.
    static func parseFloat(_ text: String) -> Double? {
        let body = PythonString.strip(text, nil, leading: true, trailing: true).lowercased()
        switch body {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: break
        }
        guard !body.isEmpty, !body.hasPrefix("_"), !body.hasSuffix("_"), !body.contains("__"),
              body.unicodeScalars.allSatisfy({ "0123456789+-.e_".unicodeScalars.contains($0) }) else { return nil }
        return Double(body.replacingOccurrences("_", ""))
    }

    static func toInt(_ value: Value, defaultValue: Value, base: Value) throws -> Value {
        switch value {
        case .undefined(let undefined): throw undefined.error()
        case .bool(let flag): return .int(flag ? 1 : 0)
        case .int(let integer): return .int(integer)
        case .double(let double):
            guard double.isFinite else { return defaultValue }
            guard Swift.abs(double) < 9.2e18 else { throw Operators.overflow("int") }
            return .int(Int(double.rounded(.towardZero)))
        case .string(let text):
            guard case .int(let radix) = base else { throw TemplateError(.type, "int() base must be an int") }
            if let parsed = parseInt(text, base: radix) { return .int(parsed) }
            if let double = parseFloat(text), double.isFinite, Swift.abs(double) < 9.2e18 {
                return .int(Int(double.rounded(.towardZero)))
            }
            return defaultValue
        default:
            return defaultValue
        }
    }

    static func toFloat(_ value: Value) throws -> Value? {
        switch value {
        case .undefined(let undefined): throw undefined.error()
        case .bool(let flag): return .double(flag ? 1 : 0)
        case .int(let integer): return .double(Double(integer))
        case .double(let double): return .double(double)
        case .string(let text): return parseFloat(text).map(Value.double)
        default: return nil
        }
    }

    /// Jinja's `round`: Python's correctly rounded `round(x, n)` for "common", else floor/ceil.
    static func round(_ value: Value, precision: Value, method: Value) throws -> Value {
        guard case .string(let methodName) = method, ["common", "ceil", "floor"].contains(methodName) else {
            throw TemplateError(.type, "method must be common, ceil or floor")
        }
        if case .undefined(let undefined) = value { throw undefined.error() }
        guard case .int(let digits)? = Operators.number(precision) else {
            throw TemplateError(.type, "'\(precision.typeName)' object cannot be interpreted as an integer")
        }
        guard let number = Operators.number(value) else {
            throw TemplateError(.type, "type \(value.typeName) doesn't define __round__ method")
        }
        if methodName == "common" {
            switch number {
            case .int(let integer):
                guard digits < 0 else { return .int(integer) }
                let scale = Int(Foundation.pow(10.0, Double(-digits)))
                return .int(Int((Double(integer) / Double(scale)).rounded(.toNearestOrEven)) * scale)
            case .double(let double):
                guard double.isFinite else { return .double(double) }
                if digits >= 0 && digits <= 300 {
                    let text = String(format: "%.\(digits)f", double)
                    return .double(Double(text) ?? double)
                }
                let scale = Foundation.pow(10.0, Double(-digits))
                return .double((double / scale).rounded(.toNearestOrEven) * scale)
            }
        }
        let scale = Foundation.pow(10.0, Double(digits))
        let scaled = number.double * scale
        let rounded = methodName == "ceil" ? scaled.rounded(.up) : scaled.rounded(.down)
        return .double(rounded / scale)
    }
}
