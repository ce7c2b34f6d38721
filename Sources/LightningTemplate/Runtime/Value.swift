/// The interpreter's value: the JSON model plus the Python runtime objects templates can make
/// (tuples, namespaces, loop contexts, callables, undefined values that remember why they are undefined).
enum Value {
    case undefined(Undefined)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([Value])
    case tuple([Value])
    case dict(Dict)
    case namespace(Namespace)
    case loop(LoopContext)
    case callable(Callable)

    static var empty: Value { .string("") }

    static func undefined(_ message: String? = nil, security: Bool = false) -> Value {
        .undefined(Undefined(message: message, isSecurity: security))
    }

    init(_ value: TemplateValue) {
        switch value {
        case .undefined: self = .undefined(Undefined(message: nil))
        case .none: self = .none
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .int(value)
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .array(let items): self = .list(items.map(Value.init))
        case .object(let object):
            var dict = Dict()
            for (key, value) in object { dict[key] = Value(value) }
            self = .dict(dict)
        }
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python truthiness.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .double(let value): return value != 0
        case .string(let value): return !value.isEmpty
        case .list(let items), .tuple(let items): return !items.isEmpty
        case .dict(let dict): return dict.count > 0
        case .namespace, .loop, .callable: return true
        }
    }

    /// The Python type name used in error messages.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .loop: return "LoopContext"
        case .callable(let callable): return callable.isMacro ? "Macro" : "builtin_function_or_method"
        }
    }

    /// Jinja's `object_type_repr`, used in "has no attribute" messages.
    var objectTypeRepr: String {
        switch self {
        case .none: return "None"
        case .namespace: return "jinja2.utils.Namespace object"
        case .loop: return "jinja2.runtime.LoopContext object"
        case .callable(let callable): return callable.isMacro ? "jinja2.runtime.Macro object" : "builtin_function_or_method object"
        default: return "\(typeName) object"
        }
    }
}

/// Why a value is undefined; the message is raised when the value is used for anything but
/// printing, testing or defaulting.
struct Undefined {
    var message: String?
    var isSecurity = false

    func error(line: Int? = nil) -> TemplateError {
        TemplateError(isSecurity ? .security : .undefined, message ?? "undefined value", line: line)
    }
}

/// A Python dict as the interpreter sees it (string keys, insertion order).
typealias Dict = OrderedStorage<Value>

/// `namespace()` objects: the one mutable value in a template, shared by reference.
final class Namespace {
    var attributes: Dict
    init(_ attributes: Dict) { self.attributes = attributes }
}

/// The `loop` variable of a `for` block.
final class LoopContext {
    let items: [Value]
    let depth0: Int
    var index0 = 0
    var lastChanged: [Value]?

    init(items: [Value], depth0: Int) {
        self.items = items
        self.depth0 = depth0
    }

    var length: Int { items.count }
}

/// A callable value: a built-in function, a bound method, or a macro.
struct Callable {
    let name: String
    let isMacro: Bool
    let invoke: (Arguments, Interpreter) throws -> Value
}

/// Evaluated call arguments.
struct Arguments {
    var positional: [Value] = []
    var keyword: [(String, Value)] = []

    init(positional: [Value] = [], keyword: [(String, Value)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    /// Binds the arguments to parameter names the way Python does for a function
    /// `def f(p0, p1=..., ...)`; missing values come back `nil`.
    func bind(_ function: String, _ names: [String], required: Int = 0) throws -> [Value?] {
        guard positional.count <= names.count else {
            throw TemplateError(.type, "\(function)() takes at most \(names.count) arguments (\(positional.count) given)")
        }
        var bound: [Value?] = Array(repeating: nil, count: names.count)
        for (offset, value) in positional.enumerated() { bound[offset] = value }
        for (name, value) in keyword {
            guard let offset = names.firstIndex(of: name) else {
                throw TemplateError(.type, "\(function)() got an unexpected keyword argument '\(name)'")
            }
            guard bound[offset] == nil else {
                throw TemplateError(.type, "\(function)() got multiple values for argument '\(name)'")
            }
            bound[offset] = value
        }
        for offset in 0..<required where bound[offset] == nil {
            throw TemplateError(.type, "\(function)() missing required argument: '\(names[offset])'")
        }
        return bound
    }
}
