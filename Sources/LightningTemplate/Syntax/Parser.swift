/// Builds the syntax tree from tokens with Jinja2's grammar and precedence.
///
/// Tags Jinja2 has but this interpreter does not run (`extends`, `block`, `include`, `import`, `from`,
/// `autoescape`, recursive loops) and filters or tests it lacks are rejected here, so a template
/// either compiles into something that renders like Jinja2 or fails at init naming the construct.
struct Parser {
    private let tokens: [LexedToken]
    private var index = 0
    /// Names referenced inside the macro bodies being parsed (innermost last).
    private var referencedNames: [Set<String>] = []
    /// Open block tags, for end-of-template messages.
    private var tagStack: [String] = []

    static func parse(_ source: String) throws -> [Node] {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let (body, _) = try parser.parseBody(until: [])
        return body
    }

    private init(tokens: [LexedToken]) { self.tokens = tokens }

    // MARK: Token stream

    var current: Token { tokens[index].token }
    var line: Int { tokens[index].line }
    func peek(_ offset: Int = 1) -> Token {
        tokens[min(index + offset, tokens.count - 1)].token
    }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    func fail(_ message: String, line: Int? = nil) -> TemplateError {
        TemplateError(.syntax, message, line: line ?? self.line)
    }

    func isName(_ name: String) -> Bool {
        if case .name(name) = current { return true }
        return false
    }

    func isOp(_ op: String) -> Bool {
        if case .op(op) = current { return true }
        return false
    }

    mutating func skipName(_ name: String) -> Bool {
        guard isName(name) else { return false }
        advance()
        return true
    }

    mutating func skipOp(_ op: String) -> Bool {
        guard isOp(op) else { return false }
        advance()
        return true
    }

    mutating func expectOp(_ op: String) throws {
        guard skipOp(op) else { throw fail("expected token '\(op)', got \(current.describe)") }
    }

    mutating func expectName() throws -> String {
        guard case .name(let name) = current else { throw fail("expected token 'name', got \(current.describe)") }
        advance()
        return name
    }

    mutating func expectBlockEnd() throws {
        guard current == .blockEnd else { throw fail("expected token 'end of statement block', got \(current.describe)") }
        advance()
    }

    mutating func noteName(_ name: String) {
        for offset in referencedNames.indices { referencedNames[offset].insert(name) }
    }

    // MARK: Statements

    /// Parses template data, prints and statements until a block tag named in `endTags`
    /// (left as the current token) or the end of the template.
    private mutating func parseBody(until endTags: Set<String>) throws -> ([Node], String?) {
        var body: [Node] = []
        while true {
            switch current {
            case .data(let text):
                body.append(.text(text))
                advance()
            case .variableBegin:
                let startLine = line
                advance()
                let expression = try parseTuple(withCondexpr: true)
                guard current == .variableEnd else { throw fail("expected token 'end of print statement', got \(current.describe)") }
                advance()
                body.append(.output(expression, line: startLine))
            case .blockBegin:
                advance()
                if case .name(let name) = current, endTags.contains(name) {
                    return (body, name)
                }
                body.append(contentsOf: try parseStatement())
            case .eof:
                if !endTags.isEmpty {
                    let expected = endTags.sorted().map { "'\($0)'" }.joined(separator: " or ")
                    var message = "Unexpected end of template. Jinja was looking for the following tags: \(expected)."
                    if let open = tagStack.last { message += " The innermost block that needs to be closed is '\(open)'." }
                    throw fail(message)
                }
                return (body, nil)
            default:
                throw fail("unexpected \(current.describe)")
            }
        }
    }

    /// Parses the header's end and a body up to one of `endTags`; returns the tag that ended it.
    private mutating func parseStatements(until endTags: Set<String>) throws -> ([Node], String) {
        _ = skipOp(":")
        try expectBlockEnd()
        let (body, end) = try parseBody(until: endTags)
        return (body, end!)
    }

    private mutating func parseStatement() throws -> [Node] {
        let startLine = line
        guard case .name(let tag) = current else { throw fail("tag name expected") }
        switch tag {
        case "for": return [try parseFor()]
        case "if": return [try parseIf()]
        case "set": return [try parseSet()]
        case "macro": return [try parseMacro()]
        case "call": return [try parseCallBlock()]
        case "filter": return [try parseFilterBlock()]
        case "with": return [try parseWith()]
        case "print":
            advance()
            let expression = try parseTuple(withCondexpr: true)
            try expectBlockEnd()
            return [.output(expression, line: startLine)]
        case "break", "continue":
            advance()
            try expectBlockEnd()
            return [tag == "break" ? .breakLoop(line: startLine) : .continueLoop(line: startLine)]
        case "extends", "block", "include", "import", "from", "autoescape":
            throw TemplateError(.unsupported, "the '\(tag)' tag is not supported by this template interpreter", line: startLine)
        default:
            throw fail("Encountered unknown tag '\(tag)'.")
        }
    }

    private mutating func withTag<T>(_ tag: String, _ body: (inout Parser) throws -> T) throws -> T {
        tagStack.append(tag)
        defer { tagStack.removeLast() }
        return try body(&self)
    }

    private mutating func parseFor() throws -> Node {
        let startLine = line
        advance()
        let target = try parseAssignTarget(extraEnd: ["in"], withNamespace: false)
        guard skipName("in") else { throw fail("expected token 'in', got \(current.describe)") }
        let iterable = try parseTuple(withCondexpr: false, extraEnd: ["recursive"])
        var filter: Expression?
        if skipName("if") { filter = try parseExpression() }
        if isName("recursive") {
            throw TemplateError(.unsupported, "recursive for loops are not supported", line: startLine)
        }
        return try withTag("for") { parser in
            let (body, end) = try parser.parseStatements(until: ["endfor", "else"])
            var otherwise: [Node] = []
            parser.advance()
            if end == "else" {
                (otherwise, _) = try parser.parseStatements(until: ["endfor"])
                parser.advance()
            }
            try parser.expectBlockEnd()
            return .forLoop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, line: startLine)
        }
    }

    private mutating func parseIf() throws -> Node {
        let startLine = line
        advance()
        return try withTag("if") { parser in
            var branches: [(Expression, [Node])] = []
            var otherwise: [Node] = []
            while true {
                let test = try parser.parseTuple(withCondexpr: false)
                let (body, end) = try parser.parseStatements(until: ["elif", "else", "endif"])
                branches.append((test, body))
                parser.advance()
                if end == "elif" { continue }
                if end == "else" {
                    (otherwise, _) = try parser.parseStatements(until: ["endif"])
                    parser.advance()
                }
                break
            }
            try parser.expectBlockEnd()
            return .conditional(branches, otherwise: otherwise, line: startLine)
        }
    }

    private mutating func parseSet() throws -> Node {
        let startLine = line
        advance()
        let target = try parseAssignTarget(extraEnd: [], withNamespace: true)
        if skipOp("=") {
            let value = try parseTuple(withCondexpr: true)
            try expectBlockEnd()
            return .set(target, value, line: startLine)
        }
        let filters = try parseFilterChain(startInline: false)
        return try withTag("set") { parser in
            let (body, _) = try parser.parseStatements(until: ["endset"])
            parser.advance()
            try parser.expectBlockEnd()
            return .setBlock(target, filters: filters, body: body, line: startLine)
        }
    }

    private mutating func parseWith() throws -> Node {
        let startLine = line
        advance()
        var assignments: [(AssignTarget, Expression)] = []
        while current != .blockEnd {
            if !assignments.isEmpty { try expectOp(",") }
            let target = try parseAssignTarget(extraEnd: [], withNamespace: false)
            try expectOp("=")
            assignments.append((target, try parseExpression()))
        }
        return try withTag("with") { parser in
            let (body, _) = try parser.parseStatements(until: ["endwith"])
            parser.advance()
            try parser.expectBlockEnd()
            return .with(assignments, body: body, line: startLine)
        }
    }

    private mutating func parseFilterBlock() throws -> Node {
        let startLine = line
        advance()
        let filters = try parseFilterChain(startInline: true)
        return try withTag("filter") { parser in
            let (body, _) = try parser.parseStatements(until: ["endfilter"])
            parser.advance()
            try parser.expectBlockEnd()
            return .filterBlock(filters, body: body, line: startLine)
        }
    }

    private mutating func parseSignature() throws -> [(String, Expression?)] {
        try expectOp("(")
        var parameters: [(String, Expression?)] = []
        var sawDefault = false
        while !isOp(")") {
            if !parameters.isEmpty { try expectOp(",") }
            let name = try expectName()
            if skipOp("=") {
                parameters.append((name, try parseExpression()))
                sawDefault = true
            } else {
                if sawDefault { throw fail("non-default argument follows default argument") }
                parameters.append((name, nil))
            }
        }
        try expectOp(")")
        return parameters
    }

    private mutating func parseMacroBody(_ tag: String, name: String, parameters: [(String, Expression?)]) throws -> MacroDefinition {
        referencedNames.append([])
        let body = try withTag(tag) { parser in
            let (body, _) = try parser.parseStatements(until: ["end" + tag])
            parser.advance()
            try parser.expectBlockEnd()
            return body
        }
        let names = referencedNames.removeLast()
        return MacroDefinition(
            name: name, parameters: parameters, body: body,
            usesVarargs: names.contains("varargs"), usesKwargs: names.contains("kwargs"), usesCaller: names.contains("caller")
        )
    }

    private mutating func parseMacro() throws -> Node {
        let startLine = line
        advance()
        let name = try expectName()
        let parameters = try parseSignature()
        return .macro(try parseMacroBody("macro", name: name, parameters: parameters), line: startLine)
    }

    private mutating func parseCallBlock() throws -> Node {
        let startLine = line
        advance()
        let parameters = isOp("(") ? try parseSignature() : []
        let call = try parseExpression()
        guard case .call = call else { throw fail("expected call", line: startLine) }
        return .callBlock(try parseMacroBody("call", name: "caller", parameters: parameters), call: call, line: startLine)
    }

    private mutating func parseAssignTarget(extraEnd: Set<String>, withNamespace: Bool) throws -> AssignTarget {
        if withNamespace, case .name(let space) = current, peek() == .op(".") {
            advance()
            advance()
            let attribute = try expectName()
            return .namespaceAttribute(space, attribute)
        }
        var targets: [AssignTarget] = []
        var isTuple = false
        var parenthesized = false
        if isOp("(") {
            advance()
            parenthesized = true
        }
        while true {
            if !targets.isEmpty { try expectOp(",") }
            if current == .blockEnd || isOp(")") || isOp("=") { break }
            if case .name(let name) = current, extraEnd.contains(name) { break }
            let name = try expectName()
            guard !["true", "false", "True", "False", "none", "None"].contains(name) else {
                throw fail("can't assign to 'Const'")
            }
            targets.append(.name(name))
            if isOp(",") { isTuple = true } else { break }
        }
        if parenthesized { try expectOp(")") }
        if targets.isEmpty { throw fail("Expected an expression, got \(current.describe)") }
        return isTuple || parenthesized && targets.count > 1 ? .tuple(targets) : targets[0]
    }
}
