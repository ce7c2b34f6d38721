/// Expression evaluation.
extension Interpreter {
    func evaluate(_ expression: Expression, in scope: Scope) throws -> Value {
        switch expression {
        case .constant(let constant):
            switch constant {
            case .none: return .none
            case .bool(let value): return .bool(value)
            case .int(let value): return .int(value)
            case .double(let value): return .double(value)
            case .string(let value): return .string(value)
            }
        case .name(let name):
            return scope.lookup(name) ?? globals[name] ?? .undefined("'\(name)' is undefined")
        case .list(let items):
            return .list(try items.map { try evaluate($0, in: scope) })
        case .tuple(let items):
            return .tuple(try items.map { try evaluate($0, in: scope) })
        case .dict(let pairs):
            var dict = Dict()
            for (keyExpression, valueExpression) in pairs {
                let key = try evaluate(keyExpression, in: scope)
                guard case .string(let text) = key else {
                    throw TemplateError(.unsupported, "dictionary keys other than strings are not supported (got \(key.typeName))")
                }
                dict[text] = try evaluate(valueExpression, in: scope)
            }
            return .dict(dict)
        case .attribute(let base, let name):
            return try Access.attribute(try evaluate(base, in: scope), name)
        case .item(let base, let key):
            return try Access.item(try evaluate(base, in: scope), try evaluate(key, in: scope))
        case .slice(let base, let start, let stop, let step):
            let value = try evaluate(base, in: scope)
            func bound(_ expression: Expression?) throws -> Value {
                guard let expression else { return .none }
                return try evaluate(expression, in: scope)
            }
            return try Access.slice(value, try bound(start), try bound(stop), try bound(step))
        case .call:
            return try evaluateCall(expression, in: scope, extraKeyword: nil)
        case .filter(let base, let name, let argumentNodes, let line):
            let value = try evaluate(base, in: scope)
            let arguments = try evaluateArguments(argumentNodes, in: scope)
            return try atLine(line) { try Builtins.applyFilter(name, value, arguments, self) }
        case .test(let base, let name, let argumentNodes, let line):
            let value = try evaluate(base, in: scope)
            let arguments = try evaluateArguments(argumentNodes, in: scope)
            return .bool(try atLine(line) { try Builtins.applyTest(name, value, arguments, self) })
        case .negate(let operand):
            return try Operators.negate(try evaluate(operand, in: scope))
        case .plus(let operand):
            return try Operators.plus(try evaluate(operand, in: scope))
        case .not(let operand):
            return .bool(!(try evaluate(operand, in: scope).isTruthy))
        case .binary(let op, let left, let right):
            return try Operators.binary(op, try evaluate(left, in: scope), try evaluate(right, in: scope))
        case .concat(let parts):
            var text = ""
            for part in parts { text += try evaluate(part, in: scope).pythonString }
            return .string(text)
        case .compare(let first, let operations):
            var left = try evaluate(first, in: scope)
            for (op, rightExpression) in operations {
                let right = try evaluate(rightExpression, in: scope)
                guard try Operators.compare(op, left, right) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .and(let left, let right):
            let value = try evaluate(left, in: scope)
            return value.isTruthy ? try evaluate(right, in: scope) : value
        case .or(let left, let right):
            let value = try evaluate(left, in: scope)
            return value.isTruthy ? value : try evaluate(right, in: scope)
        case .conditional(let test, let then, let otherwise, let line):
            if try evaluate(test, in: scope).isTruthy { return try evaluate(then, in: scope) }
            if let otherwise { return try evaluate(otherwise, in: scope) }
            return .undefined("the inline if-expression on line \(line) evaluated to false and no else section was defined.")
        }
    }

    func evaluateArguments(_ nodes: [ArgumentNode], in scope: Scope) throws -> Arguments {
        var arguments = Arguments()
        for node in nodes {
            switch node {
            case .positional(let expression):
                arguments.positional.append(try evaluate(expression, in: scope))
            case .keyword(let name, let expression):
                arguments.keyword.append((name, try evaluate(expression, in: scope)))
            case .splat(let expression):
                arguments.positional.append(contentsOf: try iterate(try evaluate(expression, in: scope)))
            case .keywordSplat(let expression):
                guard case .dict(let dict) = try evaluate(expression, in: scope) else {
                    throw TemplateError(.type, "argument after ** must be a mapping")
                }
                arguments.keyword.append(contentsOf: dict.pairs.map { ($0.key, $0.value) })
            }
        }
        return arguments
    }

    func evaluateCall(_ expression: Expression, in scope: Scope, extraKeyword: (String, Value)?) throws -> Value {
        guard case .call(let calleeExpression, let argumentNodes, let line) = expression else {
            throw TemplateError(.syntax, "expected call")
        }
        let callee = try evaluate(calleeExpression, in: scope)
        var arguments = try evaluateArguments(argumentNodes, in: scope)
        if let extraKeyword { arguments.keyword.append(extraKeyword) }
        return try atLine(line) { try call(callee, arguments) }
    }

    func call(_ callee: Value, _ arguments: Arguments) throws -> Value {
        switch callee {
        case .callable(let callable):
            return try callable.invoke(arguments, self)
        case .undefined(let undefined):
            throw undefined.error()
        default:
            throw TemplateError(.type, "'\(callee.typeName)' object is not callable")
        }
    }
}
