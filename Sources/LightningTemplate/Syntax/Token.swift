/// A lexical token of a Jinja template.
enum Token: Equatable {
    case data(String)
    case variableBegin
    case variableEnd
    case blockBegin
    case blockEnd
    case name(String)
    case string(String)
    case integer(Int)
    case float(Double)
    case op(String)
    case eof

    /// How Jinja2 describes the token in "expected ..., got ..." messages.
    var describe: String {
        switch self {
        case .data: return "template data"
        case .variableBegin: return "begin of print statement"
        case .variableEnd: return "end of print statement"
        case .blockBegin: return "begin of statement block"
        case .blockEnd: return "end of statement block"
        case .name(let name): return "'\(name)'"
        case .string(let value): return PythonString.repr(value)
        case .integer(let value): return String(value)
        case .float(let value): return PythonFloat.repr(value)
        case .op(let op): return "'\(op)'"
        case .eof: return "end of template"
        }
    }
}

/// A token with the 1-based line it starts on.
struct LexedToken {
    let token: Token
    let line: Int
}
