/// Python's `json.dumps`, which is what Hugging Face's `tojson` override calls:
/// `json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)`.
enum JSONWriter {
    static func encode(_ value: Value, ensureASCII: Bool, indent: Value, separators: Value, sortKeys: Bool) throws -> String {
        var indentUnit: String?
        switch indent {
        case .none: indentUnit = nil
        case .int(let width): indentUnit = String(repeating: " ", count: max(0, width))
        case .bool(let flag): indentUnit = flag ? " " : ""
        case .string(let text): indentUnit = text
        case .undefined(let undefined): throw undefined.error()
        default: throw TemplateError(.type, "indent must be an int or a string, not \(indent.typeName)")
        }
        var itemSeparator = indentUnit == nil ? ", " : ","
        var keySeparator = ": "
        switch separators {
        case .none: break
        case .list(let items), .tuple(let items):
            guard items.count == 2, case .string(let item) = items[0], case .string(let key) = items[1] else {
                throw TemplateError(.type, "separators must be a (item_separator, key_separator) pair of strings")
            }
            itemSeparator = item
            keySeparator = key
        default: throw TemplateError(.type, "separators must be a (item_separator, key_separator) pair of strings")
        }
        var writer = Writer(ensureASCII: ensureASCII, indent: indentUnit, itemSeparator: itemSeparator, keySeparator: keySeparator, sortKeys: sortKeys)
        try writer.write(value, level: 0)
        return writer.out
    }

    private struct Writer {
        let ensureASCII: Bool
        let indent: String?
        let itemSeparator: String
        let keySeparator: String
        let sortKeys: Bool
        var out = ""

        mutating func newline(_ level: Int) {
            guard let indent else { return }
            out += "\n" + String(repeating: indent, count: level)
        }

        mutating func write(_ value: Value, level: Int) throws {
            guard level < 200 else { throw TemplateError(.type, "maximum recursion depth exceeded while encoding a JSON object") }
            switch value {
            case .none: out += "null"
            case .bool(let flag): out += flag ? "true" : "false"
            case .int(let integer): out += String(integer)
            case .double(let double):
                if double.isNaN { out += "NaN" }
                else if double.isInfinite { out += double < 0 ? "-Infinity" : "Infinity" }
                else { out += PythonFloat.repr(double) }
            case .string(let text): writeString(text)
            case .list(let items), .tuple(let items):
                if items.isEmpty { out += "[]"; return }
                out += "["
                for (offset, item) in items.enumerated() {
                    if offset > 0 { out += itemSeparator }
                    newline(level + 1)
                    try write(item, level: level + 1)
                }
                newline(level)
                out += "]"
            case .dict(let dict):
                if dict.count == 0 { out += "{}"; return }
                var pairs = dict.pairs
                if sortKeys { pairs.sort { PythonString.less($0.key, $1.key) } }
                out += "{"
                for (offset, pair) in pairs.enumerated() {
                    if offset > 0 { out += itemSeparator }
                    newline(level + 1)
                    writeString(pair.key)
                    out += keySeparator
                    try write(pair.value, level: level + 1)
                }
                newline(level)
                out += "}"
            case .undefined, .namespace, .loop, .callable:
                throw TemplateError(.type, "Object of type \(value.typeName) is not JSON serializable")
            }
        }

        mutating func writeString(_ text: String) {
            out += "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                default:
                    if scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7E) {
                        if scalar.value > 0xFFFF {
                            let offset = scalar.value - 0x10000
                            out += hex4(0xD800 + (offset >> 10)) + hex4(0xDC00 + (offset & 0x3FF))
                        } else {
                            out += hex4(scalar.value)
                        }
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            out += "\""
        }

        func hex4(_ value: UInt32) -> String {
            let hex = String(value, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }
}
