/// A constant written in the template.
enum Constant: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
}

/// A call argument as written: positional, `name=value`, `*args` or `**kwargs`.
enum ArgumentNode: Sendable {
    case positional(Expression)
    case keyword(String, Expression)
    case splat(Expression)
    case keywordSplat(Expression)
}

/// Binary operators other than comparisons and boolean operators.
enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%", power = "**"
}

/// Comparison operators (`in`/`not in` included, as in Python's grammar).
enum ComparisonOperator: String, Sendable {
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case contains = "in", notContains = "not in"
}

/// An expression node.
indirect enum Expression: Sendable {
    case constant(Constant)
    case name(String)
    case list([Expression])
    case tuple([Expression])
    case dict([(Expression, Expression)])
    case attribute(Expression, String)
    case item(Expression, Expression)
    case slice(Expression, Expression?, Expression?, Expression?)
    case call(Expression, [ArgumentNode], line: Int)
    case filter(Expression, String, [ArgumentNode], line: Int)
    case test(Expression, String, [ArgumentNode], line: Int)
    case negate(Expression)
    case plus(Expression)
    case not(Expression)
    case binary(BinaryOperator, Expression, Expression)
    case concat([Expression])
    case compare(Expression, [(ComparisonOperator, Expression)])
    case and(Expression, Expression)
    case or(Expression, Expression)
    case conditional(test: Expression, then: Expression, otherwise: Expression?, line: Int)
}

/// What a `set`, `for` or `with` assigns to.
indirect enum AssignTarget: Sendable {
    case name(String)
    case tuple([AssignTarget])
    case namespaceAttribute(String, String)

    var names: [String] {
        switch self {
        case .name(let name): return [name]
        case .tuple(let targets): return targets.flatMap(\.names)
        case .namespaceAttribute: return []
        }
    }
}

/// A filter applied by `{% filter %}` or `{% set x | filter %}`.
struct FilterCall: Sendable {
    let name: String
    let arguments: [ArgumentNode]
    let line: Int
}

/// A macro (or a `call` block's body) definition.
struct MacroDefinition: Sendable {
    let name: String
    let parameters: [(String, Expression?)]
    let body: [Node]
    let usesVarargs: Bool
    let usesKwargs: Bool
    let usesCaller: Bool
}

/// A statement node.
indirect enum Node: Sendable {
    case text(String)
    case output(Expression, line: Int)
    case conditional([(Expression, [Node])], otherwise: [Node], line: Int)
    case forLoop(target: AssignTarget, iterable: Expression, filter: Expression?, body: [Node], otherwise: [Node], line: Int)
    case set(AssignTarget, Expression, line: Int)
    case setBlock(AssignTarget, filters: [FilterCall], body: [Node], line: Int)
    case macro(MacroDefinition, line: Int)
    case callBlock(MacroDefinition, call: Expression, line: Int)
    case filterBlock([FilterCall], body: [Node], line: Int)
    case with([(AssignTarget, Expression)], body: [Node], line: Int)
    case breakLoop(line: Int)
    case continueLoop(line: Int)
}
