import Foundation

/// Runs a parsed template against a context: statements here, expressions in
/// `Interpreter+Expressions.swift`, values' operators in `Operators.swift`.
final class Interpreter {
    let root: Scope
    let globals: [String: Value]
    let now: Date
    let timeZone: TimeZone
    var output = ""
    private var loopDepth = 0

    enum Flow { case normal, breakLoop, continueLoop }

    init(context: [String: TemplateValue], now: Date, timeZone: TimeZone) {
        root = Scope(parent: nil)
        for (name, value) in context { root.set(name, Value(value)) }
        self.now = now
        self.timeZone = timeZone
        globals = Globals.make()
    }

    func render(_ nodes: [Node]) throws -> String {
        _ = try execute(nodes, in: root)
        return output
    }

    /// Runs `nodes` and returns what they printed, leaving the outer output untouched.
    func capture(_ nodes: [Node], in scope: Scope) throws -> String {
        let saved = output
        output = ""
        defer { output = saved }
        _ = try execute(nodes, in: scope)
        return output
    }

    func execute(_ nodes: [Node], in scope: Scope) throws -> Flow {
        for node in nodes {
            let flow = try execute(node, in: scope)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ node: Node, in scope: Scope) throws -> Flow {
        switch node {
        case .text(let text):
            output += text
        case .output(let expression, let line):
            try atLine(line) { output += try evaluate(expression, in: scope).pythonString }
        case .conditional(let branches, let otherwise, let line):
            var chosen: [Node] = otherwise
            try atLine(line) {
                for (test, body) in branches where try evaluate(test, in: scope).isTruthy {
                    chosen = body
                    break
                }
            }
            return try execute(chosen, in: scope)
        case .forLoop(let target, let iterable, let filter, let body, let otherwise, let line):
            return try runLoop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, line: line, in: scope)
        case .set(let target, let expression, let line):
            try atLine(line) { try assign(target, try evaluate(expression, in: scope), in: scope) }
        case .setBlock(let target, let filters, let body, let line):
            var value = Value.string(try capture(body, in: scope))
            try atLine(line) {
                value = try applyFilters(filters, to: value, in: scope)
                try assign(target, value, in: scope)
            }
        case .macro(let definition, let line):
            scope.set(definition.name, makeMacro(definition, closure: scope, line: line))
        case .callBlock(let definition, let call, let line):
            try atLine(line) {
                let caller = makeMacro(definition, closure: scope, line: line)
                output += try evaluateCall(call, in: scope, extraKeyword: ("caller", caller)).pythonString
            }
        case .filterBlock(let filters, let body, let line):
            let text = try capture(body, in: Scope(parent: scope))
            try atLine(line) { output += try applyFilters(filters, to: .string(text), in: scope).pythonString }
        case .with(let assignments, let body, let line):
            let inner = Scope(parent: scope)
            try atLine(line) {
                for (target, expression) in assignments { try assign(target, try evaluate(expression, in: inner), in: inner) }
            }
            return try execute(body, in: inner)
        case .breakLoop(let line):
            guard loopDepth > 0 else { throw TemplateError(.syntax, "'break' outside of a for loop", line: line) }
            return .breakLoop
        case .continueLoop(let line):
            guard loopDepth > 0 else { throw TemplateError(.syntax, "'continue' outside of a for loop", line: line) }
            return .continueLoop
        }
        return .normal
    }

    /// Tags errors that carry no line with `line`.
    func atLine<T>(_ line: Int, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as TemplateError {
            if error.line == nil { error.line = line }
            throw error
        }
    }

    private func runLoop(target: AssignTarget, iterable: Expression, filter: Expression?, body: [Node], otherwise: [Node], line: Int, in scope: Scope) throws -> Flow {
        var items: [Value] = try atLine(line) { try iterate(try evaluate(iterable, in: scope)) }
        if let filter {
            items = try atLine(line) {
                try items.filter { item in
                    let probe = Scope(parent: scope)
                    try assign(target, item, in: probe)
                    return try evaluate(filter, in: probe).isTruthy
                }
            }
        }
        if items.isEmpty {
            return try execute(otherwise, in: Scope(parent: scope))
        }
        let loop = LoopContext(items: items, depth0: 0)
        loopDepth += 1
        defer { loopDepth -= 1 }
        for (offset, item) in items.enumerated() {
            loop.index0 = offset
            let iteration = Scope(parent: scope)
            iteration.set("loop", .loop(loop))
            try atLine(line) { try assign(target, item, in: iteration) }
            if try execute(body, in: iteration) == .breakLoop { break }
        }
        return .normal
    }

    func assign(_ target: AssignTarget, _ value: Value, in scope: Scope) throws {
        switch target {
        case .name(let name):
            scope.set(name, value)
        case .tuple(let targets):
            let items = try iterate(value)
            guard items.count == targets.count else {
                if items.count < targets.count {
                    throw TemplateError(.type, "not enough values to unpack (expected \(targets.count), got \(items.count))")
                }
                throw TemplateError(.type, "too many values to unpack (expected \(targets.count))")
            }
            for (target, item) in zip(targets, items) { try assign(target, item, in: scope) }
        case .namespaceAttribute(let name, let attribute):
            guard case .namespace(let namespace) = scope.lookup(name) ?? globals[name] ?? .none else {
                throw TemplateError(.type, "cannot assign attribute on non-namespace object")
            }
            namespace.attributes[attribute] = value
        }
    }

    func applyFilters(_ filters: [FilterCall], to start: Value, in scope: Scope) throws -> Value {
        var value = start
        for filter in filters {
            let arguments = try evaluateArguments(filter.arguments, in: scope)
            value = try atLine(filter.line) { try Builtins.applyFilter(filter.name, value, arguments, self) }
        }
        return value
    }

    /// Python iteration: lists and tuples by item, dicts by key, strings by character;
    /// undefined iterates as empty.
    func iterate(_ value: Value) throws -> [Value] {
        switch value {
        case .list(let items), .tuple(let items): return items
        case .dict(let dict): return dict.keys.map(Value.string)
        case .string(let text): return text.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        case .namespace(let namespace): throw TemplateError(.type, "'Namespace' object is not iterable \(namespace.attributes.count)")
        default: throw TemplateError(.type, "'\(value.typeName)' object is not iterable")
        }
    }

    // MARK: Macros

    private func makeMacro(_ definition: MacroDefinition, closure: Scope, line: Int) -> Value {
        .callable(Callable(name: definition.name, isMacro: true) { arguments, interpreter in
            try interpreter.invokeMacro(definition, closure: closure, arguments: arguments)
        })
    }

    private func invokeMacro(_ definition: MacroDefinition, closure: Scope, arguments: Arguments) throws -> Value {
        let scope = Scope(parent: closure)
        let names = definition.parameters.map(\.0)
        var positional = arguments.positional
        var extra: [Value] = []
        if positional.count > names.count {
            guard definition.usesVarargs else {
                throw TemplateError(.type, "macro '\(definition.name)' takes not more than \(names.count) argument(s)")
            }
            extra = Array(positional[names.count...])
            positional = Array(positional[..<names.count])
        }
        var provided: [String: Value] = [:]
        for (name, value) in zip(names, positional) { provided[name] = value }
        var extraKeywords = Dict()
        var caller: Value?
        for (key, value) in arguments.keyword {
            if names.contains(key) {
                guard provided[key] == nil else {
                    throw TemplateError(.type, "macro '\(definition.name)' got multiple values for argument '\(key)'")
                }
                provided[key] = value
            } else if key == "caller" {
                caller = value
            } else if definition.usesKwargs {
                extraKeywords[key] = value
            } else {
                throw TemplateError(.type, "macro '\(definition.name)' takes no keyword argument '\(key)'")
            }
        }
        for (name, defaultValue) in definition.parameters {
            if let value = provided[name] {
                scope.set(name, value)
            } else if let defaultValue {
                scope.set(name, try evaluate(defaultValue, in: scope))
            } else {
                scope.set(name, .undefined("parameter '\(name)' was not provided"))
            }
        }
        if definition.usesVarargs { scope.set("varargs", .tuple(extra)) }
        if definition.usesKwargs { scope.set("kwargs", .dict(extraKeywords)) }
        if definition.usesCaller { scope.set("caller", caller ?? .undefined("No caller defined")) }
        let savedDepth = loopDepth
        loopDepth = 0
        defer { loopDepth = savedDepth }
        return .string(try capture(definition.body, in: scope))
    }
}
