/// Jinja2's built-in tests (`is defined`, `is string`, `is divisibleby 3`, ...).
enum Tests {
    static func apply(_ name: String, _ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Bool {
        func other() throws -> Value {
            try arguments.bind(name, ["other"], required: 1)[0]!
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "number": return Operators.number(value) != nil
        case "string": if case .string = value { return true } else { return false }
        case "mapping": if case .dict = value { return true } else { return false }
        case "iterable":
            switch value {
            case .list, .tuple, .dict, .string, .undefined: return true
            default: return false
            }
        case "sequence":
            switch value {
            case .list, .tuple, .dict, .string, .undefined: return true
            default: return false
            }
        case "callable":
            switch value {
            case .callable, .undefined: return true
            default: return false
            }
        case "escaped": return false
        case "lower", "upper":
            let text = value.pythonString
            let cased = text.unicodeScalars.filter(PythonStringMethods.isCased)
            guard !cased.isEmpty else { return false }
            return name == "lower" ? cased.allSatisfy { !$0.properties.isUppercase } : cased.allSatisfy { !$0.properties.isLowercase }
        case "odd", "even":
            let remainder = try Operators.binary(.modulo, value, .int(2))
            return Operators.equal(remainder, .int(name == "odd" ? 1 : 0))
        case "divisibleby":
            let divisor = try arguments.bind(name, ["num"], required: 1)[0]!
            return Operators.equal(try Operators.binary(.modulo, value, divisor), .int(0))
        case "eq", "equalto", "==": return Operators.equal(value, try other())
        case "ne", "!=": return !Operators.equal(value, try other())
        case "lt", "lessthan", "<": return try Operators.compare(.less, value, try other())
        case "le", "<=": return try Operators.compare(.lessEqual, value, try other())
        case "gt", "greaterthan", ">": return try Operators.compare(.greater, value, try other())
        case "ge", ">=": return try Operators.compare(.greaterEqual, value, try other())
        case "in":
            let container = try arguments.bind(name, ["seq"], required: 1)[0]!
            return try Operators.contains(container, value)
        case "sameas":
            switch (value, try other()) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            case (.loop(let a), .loop(let b)): return a === b
            default: return false
            }
        case "filter":
            if case .string(let filterName) = value { return Builtins.filterExists(filterName) }
            return false
        case "test":
            if case .string(let testName) = value { return Builtins.testNames.contains(testName) }
            return false
        default:
            throw TemplateError(.syntax, "No test named '\(name)'.")
        }
    }
}
