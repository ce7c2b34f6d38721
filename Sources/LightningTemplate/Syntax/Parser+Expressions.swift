/// Expression grammar, mirroring jinja2/parser.py: conditional < or < and < not < comparison <
/// `+`/`-` < `~` < `*` `/` `//` `%` < `**` (left-associative) < unary < postfix and filters.
extension Parser {
    mutating func parseExpression(withCondexpr: Bool = true) throws -> Expression {
        withCondexpr ? try parseConditional() : try parseOr()
    }

    /// Comma-separated expressions become a tuple, as in `{{ a, b }}` or `{% set x = 1, 2 %}`.
    mutating func parseTuple(withCondexpr: Bool, extraEnd: Set<String> = [], explicitParentheses: Bool = false) throws -> Expression {
        var items: [Expression] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expectOp(",") }
            if isTupleEnd(extraEnd) { break }
            items.append(try parseExpression(withCondexpr: withCondexpr))
            if isOp(",") { isTuple = true } else { break }
        }
        if !isTuple {
            if let first = items.first { return first }
            if !explicitParentheses { throw fail("Expected an expression, got \(current.describe)") }
        }
        return .tuple(items)
    }

    private func isTupleEnd(_ extraEnd: Set<String>) -> Bool {
        switch current {
        case .variableEnd, .blockEnd, .op(")"): return true
        case .name(let name): return extraEnd.contains(name)
        default: return false
        }
    }

    private mutating func parseConditional() throws -> Expression {
        var expression = try parseOr()
        while true {
            let conditionLine = line
            guard skipName("if") else { break }
            let test = try parseOr()
            let otherwise = skipName("else") ? try parseConditional() : nil
            expression = .conditional(test: test, then: expression, otherwise: otherwise, line: conditionLine)
        }
        return expression
    }

    private mutating func parseOr() throws -> Expression {
        var left = try parseAnd()
        while skipName("or") { left = .or(left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws -> Expression {
        var left = try parseNot()
        while skipName("and") { left = .and(left, try parseNot()) }
        return left
    }

    private mutating func parseNot() throws -> Expression {
        if skipName("not") { return .not(try parseNot()) }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> Expression {
        let left = try parseMath1()
        var operations: [(ComparisonOperator, Expression)] = []
        while true {
            if case .op(let op) = current, let comparison = ComparisonOperator(rawValue: op), op != "in" {
                advance()
                operations.append((comparison, try parseMath1()))
            } else if skipName("in") {
                operations.append((.contains, try parseMath1()))
            } else if isName("not"), peek() == .name("in") {
                advance()
                advance()
                operations.append((.notContains, try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : .compare(left, operations)
    }

    private mutating func parseMath1() throws -> Expression {
        var left = try parseConcat()
        while true {
            if skipOp("+") {
                left = .binary(.add, left, try parseConcat())
            } else if skipOp("-") {
                left = .binary(.subtract, left, try parseConcat())
            } else {
                return left
            }
        }
    }

    private mutating func parseConcat() throws -> Expression {
        var parts = [try parseMath2()]
        while skipOp("~") { parts.append(try parseMath2()) }
        return parts.count == 1 ? parts[0] : .concat(parts)
    }

    private mutating func parseMath2() throws -> Expression {
        var left = try parsePow()
        while true {
            let op: BinaryOperator
            switch current {
            case .op("*"): op = .multiply
            case .op("/"): op = .divide
            case .op("//"): op = .floorDivide
            case .op("%"): op = .modulo
            default: return left
            }
            advance()
            left = .binary(op, left, try parsePow())
        }
    }

    private mutating func parsePow() throws -> Expression {
        var left = try parseUnary()
        while skipOp("**") { left = .binary(.power, left, try parseUnary()) }
        return left
    }

    private mutating func parseUnary(withFilter: Bool = true) throws -> Expression {
        var node: Expression
        if skipOp("-") {
            node = .negate(try parseUnary(withFilter: false))
        } else if skipOp("+") {
            node = .plus(try parseUnary(withFilter: false))
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpression(node) }
        return node
    }

    private mutating func parsePrimary() throws -> Expression {
        switch current {
        case .name(let name):
            advance()
            switch name {
            case "true", "True": return .constant(.bool(true))
            case "false", "False": return .constant(.bool(false))
            case "none", "None": return .constant(.none)
            default:
                noteName(name)
                return .name(name)
            }
        case .string(let value):
            var text = value
            advance()
            while case .string(let more) = current {
                text += more
                advance()
            }
            return .constant(.string(text))
        case .integer(let value):
            advance()
            return .constant(.int(value))
        case .float(let value):
            advance()
            return .constant(.double(value))
        case .op("("):
            advance()
            let node = try parseTuple(withCondexpr: true, explicitParentheses: true)
            try expectOp(")")
            return node
        case .op("["):
            advance()
            var items: [Expression] = []
            while !isOp("]") {
                if !items.isEmpty { try expectOp(",") }
                if isOp("]") { break }
                items.append(try parseExpression())
            }
            try expectOp("]")
            return .list(items)
        case .op("{"):
            advance()
            var pairs: [(Expression, Expression)] = []
            while !isOp("}") {
                if !pairs.isEmpty { try expectOp(",") }
                if isOp("}") { break }
                let key = try parseExpression()
                try expectOp(":")
                pairs.append((key, try parseExpression()))
            }
            try expectOp("}")
            return .dict(pairs)
        default:
            throw fail("unexpected \(current.describe)")
        }
    }

    private mutating func parsePostfix(_ start: Expression) throws -> Expression {
        var node = start
        while true {
            if isOp(".") || isOp("[") {
                node = try parseSubscript(node)
            } else if isOp("(") {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    private mutating func parseFilterExpression(_ start: Expression) throws -> Expression {
        var node = start
        while true {
            if isOp("|") {
                for filter in try parseFilterChain(startInline: false) {
                    node = .filter(node, filter.name, filter.arguments, line: filter.line)
                }
            } else if isName("is") {
                node = try parseTest(node)
            } else if isOp("(") {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ node: Expression) throws -> Expression {
        if skipOp(".") {
            switch current {
            case .name(let name):
                advance()
                return .attribute(node, name)
            case .integer(let value):
                advance()
                return .item(node, .constant(.int(value)))
            default:
                throw fail("expected name or number")
            }
        }
        try expectOp("[")
        var arguments: [Expression] = []
        while !isOp("]") {
            if !arguments.isEmpty { try expectOp(",") }
            arguments.append(try parseSubscribed(node))
        }
        try expectOp("]")
        if arguments.count == 1 {
            if case .slice(_, let start, let stop, let step) = arguments[0] { return .slice(node, start, stop, step) }
            return .item(node, arguments[0])
        }
        return .item(node, .tuple(arguments))
    }

    private mutating func parseSubscribed(_ node: Expression) throws -> Expression {
        var parts: [Expression?] = []
        if skipOp(":") {
            parts = [nil]
        } else {
            let first = try parseExpression()
            guard skipOp(":") else { return first }
            parts = [first]
        }
        if isOp(":") || isOp("]") || isOp(",") {
            parts.append(nil)
        } else {
            parts.append(try parseExpression())
        }
        if skipOp(":") {
            parts.append(isOp("]") || isOp(",") ? nil : try parseExpression())
        } else {
            parts.append(nil)
        }
        return .slice(node, parts[0], parts[1], parts[2])
    }

    mutating func parseCallArguments() throws -> [ArgumentNode] {
        let startLine = line
        try expectOp("(")
        var arguments: [ArgumentNode] = []
        var sawKeyword = false
        var sawSplat = false
        var sawKeywordSplat = false
        func ensure(_ condition: Bool) throws {
            if !condition { throw fail("invalid syntax for function call expression", line: startLine) }
        }
        var requireComma = false
        while !isOp(")") {
            if requireComma {
                try expectOp(",")
                if isOp(")") { break }
            }
            if skipOp("*") {
                try ensure(!sawSplat && !sawKeywordSplat)
                sawSplat = true
                arguments.append(.splat(try parseExpression()))
            } else if skipOp("**") {
                try ensure(!sawKeywordSplat)
                sawKeywordSplat = true
                arguments.append(.keywordSplat(try parseExpression()))
            } else if case .name(let key) = current, peek() == .op("=") {
                try ensure(!sawKeywordSplat)
                advance()
                advance()
                sawKeyword = true
                arguments.append(.keyword(key, try parseExpression()))
            } else {
                try ensure(!sawSplat && !sawKeywordSplat && !sawKeyword)
                arguments.append(.positional(try parseExpression()))
            }
            requireComma = true
        }
        try expectOp(")")
        return arguments
    }

    private mutating func parseCall(_ node: Expression) throws -> Expression {
        let callLine = line
        return .call(node, try parseCallArguments(), line: callLine)
    }

    mutating func parseFilterChain(startInline: Bool) throws -> [FilterCall] {
        var filters: [FilterCall] = []
        var inline = startInline
        while isOp("|") || inline {
            if !inline { advance() }
            inline = false
            let filterLine = line
            var name = try expectName()
            while skipOp(".") { name += "." + (try expectName()) }
            let arguments = isOp("(") ? try parseCallArguments() : []
            try Builtins.checkFilter(name, line: filterLine)
            filters.append(FilterCall(name: name, arguments: arguments, line: filterLine))
        }
        return filters
    }

    private mutating func parseTest(_ node: Expression) throws -> Expression {
        let testLine = line
        advance()
        let negated = skipName("not")
        var name = try expectName()
        while skipOp(".") { name += "." + (try expectName()) }
        var arguments: [ArgumentNode] = []
        if isOp("(") {
            arguments = try parseCallArguments()
        } else {
            var startsArgument = false
            switch current {
            case .name(let word): startsArgument = !["else", "or", "and"].contains(word)
            case .string, .integer, .float, .op("("), .op("["), .op("{"): startsArgument = true
            default: break
            }
            if startsArgument {
                if isName("is") { throw fail("You cannot chain multiple tests with is") }
                arguments = [.positional(try parsePostfix(try parsePrimary()))]
            }
        }
        try Builtins.checkTest(name, line: testLine)
        let test = Expression.test(node, name, arguments, line: testLine)
        return negated ? .not(test) : test
    }
}
