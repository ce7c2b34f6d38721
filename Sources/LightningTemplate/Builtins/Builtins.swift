/// The filter and test tables, and the init-time check that a template only names ones this
/// interpreter implements.
enum Builtins {
    static let filterNames: Set<String> = [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first",
        "float", "forceescape", "format", "indent", "int", "items", "join", "last", "length", "list", "lower", "map",
        "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort",
        "string", "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "wordcount",
    ]
    /// Jinja2 filters this interpreter does not implement; templates using them fail at init.
    static let unsupportedFilterNames: Set<String> = [
        "filesizeformat", "groupby", "pprint", "random", "slice", "striptags", "urlencode", "urlize", "wordwrap", "xmlattr",
    ]
    static let testNames: Set<String> = [
        "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "escaped", "even", "false", "filter", "float",
        "ge", "greaterthan", "gt", "in", "integer", "iterable", "le", "lessthan", "lower", "lt", "mapping", "ne", "none",
        "number", "odd", "sameas", "sequence", "string", "test", "true", "undefined", "upper",
        "==", "!=", "<", "<=", ">", ">=",
    ]

    static func checkFilter(_ name: String, line: Int) throws {
        if filterNames.contains(name) { return }
        if unsupportedFilterNames.contains(name) {
            throw TemplateError(.unsupported, "the '\(name)' filter is not supported by this template interpreter", line: line)
        }
        throw TemplateError(.syntax, "No filter named '\(name)'.", line: line)
    }

    static func checkTest(_ name: String, line: Int) throws {
        guard testNames.contains(name) else { throw TemplateError(.syntax, "No test named '\(name)'.", line: line) }
    }

    static func applyFilter(_ name: String, _ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        switch name {
        case "abs", "float", "int", "round", "sum", "max", "min":
            return try NumericFilters.apply(name, value, arguments, interpreter)
        case "capitalize", "center", "e", "escape", "forceescape", "format", "indent", "lower", "replace", "safe",
             "string", "title", "trim", "truncate", "upper", "wordcount":
            return try StringFilters.apply(name, value, arguments, interpreter)
        case "tojson":
            let bound = try arguments.bind("tojson", ["ensure_ascii", "indent", "separators", "sort_keys"])
            return .string(try JSONWriter.encode(value, ensureASCII: bound[0]?.isTruthy ?? false, indent: bound[1] ?? .none,
                                                  separators: bound[2] ?? .none, sortKeys: bound[3]?.isTruthy ?? false))
        default:
            return try CollectionFilters.apply(name, value, arguments, interpreter)
        }
    }

    static func filterExists(_ name: String) -> Bool { filterNames.contains(name) }

    static func applyTest(_ name: String, _ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Bool {
        try Tests.apply(name, value, arguments, interpreter)
    }
}
