import Foundation

/// Python semantics of arithmetic, comparison and membership on interpreter values.
enum Operators {
    /// A Python number; `bool` counts as `int`.
    enum Number {
        case int(Int)
        case double(Double)

        var double: Double {
            switch self {
            case .int(let value): return Double(value)
            case .double(let value): return value
            }
        }
    }

    static func number(_ value: Value) -> Number? {
        switch value {
        case .bool(let flag): return .int(flag ? 1 : 0)
        case .int(let integer): return .int(integer)
        case .double(let double): return .double(double)
        default: return nil
        }
    }

    static func overflow(_ op: String) -> TemplateError {
        TemplateError(.unsupported, "integer overflow in '\(op)' (Python integers are unbounded; this interpreter uses 64 bits)")
    }

    private static func unsupported(_ op: String, _ left: Value, _ right: Value) -> TemplateError {
        TemplateError(.type, "unsupported operand type(s) for \(op): '\(left.typeName)' and '\(right.typeName)'")
    }

    static func negate(_ value: Value) throws -> Value {
        if case .undefined(let undefined) = value { throw undefined.error() }
        switch number(value) {
        case .int(let integer):
            guard integer != .min else { throw overflow("-") }
            return .int(-integer)
        case .double(let double): return .double(-double)
        case nil: throw TemplateError(.type, "bad operand type for unary -: '\(value.typeName)'")
        }
    }

    static func plus(_ value: Value) throws -> Value {
        if case .undefined(let undefined) = value { throw undefined.error() }
        switch number(value) {
        case .int(let integer): return .int(integer)
        case .double(let double): return .double(double)
        case nil: throw TemplateError(.type, "bad operand type for unary +: '\(value.typeName)'")
        }
    }

    static func binary(_ op: BinaryOperator, _ left: Value, _ right: Value) throws -> Value {
        if case .undefined(let undefined) = left { throw undefined.error() }
        if case .undefined(let undefined) = right { throw undefined.error() }
        if let a = number(left), let b = number(right) { return try arithmetic(op, a, b) }
        switch (op, left, right) {
        case (.add, .string(let a), .string(let b)): return .string(a + b)
        case (.add, .list(let a), .list(let b)): return .list(a + b)
        case (.add, .tuple(let a), .tuple(let b)): return .tuple(a + b)
        case (.add, .string, _): throw TemplateError(.type, "can only concatenate str (not \"\(right.typeName)\") to str")
        case (.add, .list, _): throw TemplateError(.type, "can only concatenate list (not \"\(right.typeName)\") to list")
        case (.add, .tuple, _): throw TemplateError(.type, "can only concatenate tuple (not \"\(right.typeName)\") to tuple")
        case (.multiply, _, _):
            if let count = repeatCount(right), let repeated = try repeatValue(left, count) { return repeated }
            if let count = repeatCount(left), let repeated = try repeatValue(right, count) { return repeated }
            throw unsupported("*", left, right)
        case (.modulo, .string(let format), _):
            return .string(try PercentFormat.format(format, right))
        default:
            throw unsupported(op.rawValue, left, right)
        }
    }

    private static func repeatCount(_ value: Value) -> Int? {
        switch value {
        case .int(let count): return count
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    private static func repeatValue(_ value: Value, _ count: Int) throws -> Value? {
        let times = max(0, count)
        switch value {
        case .string(let text):
            guard text.utf8.count * times < 100_000_000 else { throw TemplateError(.security, "string repetition too large") }
            return .string(String(repeating: text, count: times))
        case .list(let items):
            guard items.count * times < 10_000_000 else { throw TemplateError(.security, "list repetition too large") }
            return .list(Array([[Value]](repeating: items, count: times).joined()))
        case .tuple(let items):
            return .tuple(Array([[Value]](repeating: items, count: times).joined()))
        default:
            return nil
        }
    }

    private static func arithmetic(_ op: BinaryOperator, _ a: Number, _ b: Number) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .add:
                let (result, overflowed) = x.addingReportingOverflow(y)
                if overflowed { throw overflow("+") }
                return .int(result)
            case .subtract:
                let (result, overflowed) = x.subtractingReportingOverflow(y)
                if overflowed { throw overflow("-") }
                return .int(result)
            case .multiply:
                let (result, overflowed) = x.multipliedReportingOverflow(by: y)
                if overflowed { throw overflow("*") }
                return .int(result)
            case .divide:
                guard y != 0 else { throw TemplateError(.type, "division by zero") }
                return .double(trueDivide(x, y))
            case .floorDivide:
                guard y != 0 else { throw TemplateError(.type, "integer division or modulo by zero") }
                if x == .min && y == -1 { throw overflow("//") }
                let quotient = x / y
                return .int((x % y != 0 && (x < 0) != (y < 0)) ? quotient - 1 : quotient)
            case .modulo:
                guard y != 0 else { throw TemplateError(.type, "integer modulo by zero") }
                if y == -1 { return .int(0) }
                let remainder = x % y
                return .int(remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder)
            case .power:
                if y < 0 {
                    guard x != 0 else { throw TemplateError(.type, "0.0 cannot be raised to a negative power") }
                    return .double(Foundation.pow(Double(x), Double(y)))
                }
                var result = 1
                var base = x
                var exponent = y
                while exponent > 0 {
                    if exponent & 1 == 1 {
                        let (product, overflowed) = result.multipliedReportingOverflow(by: base)
                        if overflowed { throw overflow("**") }
                        result = product
                    }
                    exponent >>= 1
                    if exponent > 0 {
                        let (square, overflowed) = base.multipliedReportingOverflow(by: base)
                        if overflowed { throw overflow("**") }
                        base = square
                    }
                }
                return .int(result)
            }
        }
        let x = a.double
        let y = b.double
        switch op {
        case .add: return .double(x + y)
        case .subtract: return .double(x - y)
        case .multiply: return .double(x * y)
        case .divide:
            guard y != 0 else { throw TemplateError(.type, "float division by zero") }
            return .double(x / y)
        case .floorDivide:
            guard y != 0 else { throw TemplateError(.type, "float floor division by zero") }
            return .double(floatDivmod(x, y).0)
        case .modulo:
            guard y != 0 else { throw TemplateError(.type, "float modulo by zero") }
            return .double(floatDivmod(x, y).1)
        case .power:
            if x == 0, y < 0 { throw TemplateError(.type, "0.0 cannot be raised to a negative power") }
            if x < 0, y != y.rounded() { throw TemplateError(.unsupported, "complex results of '**' are not supported") }
            return .double(Foundation.pow(x, y))
        }
    }

    /// `int / int` correctly rounded, as Python computes it.
    private static func trueDivide(_ x: Int, _ y: Int) -> Double {
        if Swift.abs(x) <= 1 << 53 && Swift.abs(y) <= 1 << 53 { return Double(x) / Double(y) }
        return Double(x) / Double(y)
    }

    /// CPython's `float_divmod`.
    static func floatDivmod(_ x: Double, _ y: Double) -> (Double, Double) {
        var mod = fmod(x, y)
        var div = (x - mod) / y
        if mod != 0 {
            if (y < 0) != (mod < 0) {
                mod += y
                div -= 1
            }
        } else {
            mod = copysign(0, y)
        }
        var floorDiv: Double
        if div != 0 {
            floorDiv = div.rounded(.down)
            if div - floorDiv > 0.5 { floorDiv += 1 }
        } else {
            floorDiv = copysign(0, x / y)
        }
        return (floorDiv, mod)
    }

    // MARK: Comparison

    /// Python `==`.
    static func equal(_ left: Value, _ right: Value) -> Bool {
        if let a = number(left), let b = number(right) {
            switch (a, b) {
            case (.int(let x), .int(let y)): return x == y
            case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return intEqualsDouble(x, y)
            default: return a.double == b.double
            }
        }
        switch (left, right) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return PythonString.equal(a, b)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.dict(let a), .dict(let b)): return a.unorderedEquals(b, by: equal)
        case (.namespace(let a), .namespace(let b)): return a === b
        case (.loop(let a), .loop(let b)): return a === b
        default: return false
        }
    }

    private static func intEqualsDouble(_ x: Int, _ y: Double) -> Bool {
        guard y.isFinite, y == y.rounded() else { return false }
        guard y >= -9.223372036854775808e18, y < 9.223372036854775808e18 else { return false }
        return Int(y) == x
    }

    /// Python ordering; nil never returned for comparable values, errors for mixed types.
    static func less(_ left: Value, _ right: Value, _ op: String) throws -> Bool {
        if case .undefined(let undefined) = left { throw undefined.error() }
        if case .undefined(let undefined) = right { throw undefined.error() }
        if let a = number(left), let b = number(right) {
            if case .int(let x) = a, case .int(let y) = b { return x < y }
            return a.double < b.double
        }
        switch (left, right) {
        case (.string(let a), .string(let b)): return PythonString.less(a, b)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !equal(x, y) { return try less(x, y, op) }
            return a.count < b.count
        default:
            throw TemplateError(.type, "'\(op)' not supported between instances of '\(left.typeName)' and '\(right.typeName)'")
        }
    }

    static func compare(_ op: ComparisonOperator, _ left: Value, _ right: Value) throws -> Bool {
        switch op {
        case .equal: return equal(left, right)
        case .notEqual: return !equal(left, right)
        case .less: return try less(left, right, "<")
        case .greater: return try less(right, left, ">")
        case .lessEqual: return try !less(right, left, "<=")
        case .greaterEqual: return try !less(left, right, ">=")
        case .contains: return try contains(right, left)
        case .notContains: return try !contains(right, left)
        }
    }

    /// Python `needle in container`.
    static func contains(_ container: Value, _ needle: Value) throws -> Bool {
        switch container {
        case .string(let text):
            guard case .string(let part) = needle else {
                if case .undefined(let undefined) = needle { throw undefined.error() }
                throw TemplateError(.type, "'in <string>' requires string as left operand, not \(needle.typeName)")
            }
            return part.isEmpty || PythonStringMethods.find(text, part) >= 0
        case .list(let items), .tuple(let items):
            return items.contains { equal($0, needle) }
        case .dict(let dict):
            switch needle {
            case .string(let key): return dict.contains(key)
            case .list, .dict: throw TemplateError(.type, "unhashable type: '\(needle.typeName)'")
            default: return false
            }
        case .undefined:
            return false
        default:
            throw TemplateError(.type, "argument of type '\(container.typeName)' is not iterable")
        }
    }
}
