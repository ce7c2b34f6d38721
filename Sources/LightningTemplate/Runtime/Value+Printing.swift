/// Python's `str()` and `repr()` of interpreter values, which is what `{{ value }}` prints.
extension Value {
    /// `str(value)`: how the value renders in output.
    var pythonString: String {
        switch self {
        case .undefined: return ""
        case .string(let value): return value
        default: return pythonRepr
        }
    }

    /// `repr(value)`: how the value prints inside a list or dict.
    var pythonRepr: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "None"
        case .bool(let value): return value ? "True" : "False"
        case .int(let value): return String(value)
        case .double(let value): return PythonFloat.repr(value)
        case .string(let value): return PythonString.repr(value)
        case .list(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .tuple(let items):
            if items.count == 1 { return "(" + items[0].pythonRepr + ",)" }
            return "(" + items.map(\.pythonRepr).joined(separator: ", ") + ")"
        case .dict(let dict): return Value.dictRepr(dict)
        case .namespace(let namespace): return "<Namespace " + Value.dictRepr(namespace.attributes) + ">"
        case .loop(let loop): return "<LoopContext \(loop.index0 + 1)/\(loop.length)>"
        case .callable(let callable):
            return callable.isMacro ? "<Macro '\(callable.name)'>" : "<built-in function \(callable.name)>"
        }
    }

    private static func dictRepr(_ dict: Dict) -> String {
        "{" + dict.pairs.map { PythonString.repr($0.key) + ": " + $0.value.pythonRepr }.joined(separator: ", ") + "}"
    }
}

/// Python float formatting.
enum PythonFloat {
    /// `repr(float)`: the shortest round-tripping digits, fixed notation for exponents -4...15.
    static func repr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let (negative, digits, exponent) = shortestDigits(value)
        let sign = negative ? "-" : ""
        if exponent < -4 || exponent >= 16 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let exponentText = exponent < 0 ? "-" + twoDigits(-exponent) : "+" + twoDigits(exponent)
            return sign + mantissa + "e" + exponentText
        }
        if exponent < 0 {
            return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        if digits.count <= exponent + 1 {
            return sign + digits + String(repeating: "0", count: exponent + 1 - digits.count) + ".0"
        }
        let split = digits.index(digits.startIndex, offsetBy: exponent + 1)
        return sign + digits[..<split] + "." + digits[split...]
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// The shortest decimal digits that round-trip (Swift's `description` computes them), with the
    /// decimal exponent of the first digit.
    static func shortestDigits(_ value: Double) -> (negative: Bool, digits: String, exponent: Int) {
        var text = Substring(value.description)
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text = text.dropFirst()
        }
        var exponentPart = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponentPart = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var integerPart = Substring(text)
        var fractionPart = Substring("")
        if let dot = text.firstIndex(of: ".") {
            integerPart = text[..<dot]
            fractionPart = text[text.index(after: dot)...]
        }
        var all = String(integerPart) + String(fractionPart)
        var exponent = integerPart.count - 1 + exponentPart
        while all.count > 1, all.first == "0" {
            all.removeFirst()
            exponent -= 1
        }
        while all.count > 1, all.last == "0" { all.removeLast() }
        if all == "0" { exponent = 0 }
        return (negative, all, exponent)
    }
}

/// Python string helpers that work on Unicode scalars (Python's code points).
enum PythonString {
    /// `repr(str)`.
    static func repr(_ value: String) -> String {
        let scalars = value.unicodeScalars
        let hasSingle = scalars.contains("'")
        let hasDouble = scalars.contains("\"")
        let quote: Unicode.Scalar = hasSingle && !hasDouble ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for scalar in scalars {
            switch scalar {
            case quote, "\\":
                out.append("\\")
                out.append(scalar)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out.append(contentsOf: hexEscape(scalar.value, "x", 2).unicodeScalars)
                } else if scalar.value < 0x7F || isPrintable(scalar) {
                    out.append(scalar)
                } else if scalar.value <= 0xFF {
                    out.append(contentsOf: hexEscape(scalar.value, "x", 2).unicodeScalars)
                } else if scalar.value <= 0xFFFF {
                    out.append(contentsOf: hexEscape(scalar.value, "u", 4).unicodeScalars)
                } else {
                    out.append(contentsOf: hexEscape(scalar.value, "U", 8).unicodeScalars)
                }
            }
        }
        out.append(quote)
        return String(out)
    }

    private static func hexEscape(_ value: UInt32, _ letter: String, _ width: Int) -> String {
        let hex = String(value, radix: 16)
        return "\\" + letter + String(repeating: "0", count: max(0, width - hex.count)) + hex
    }

    /// Python's `str.isprintable` for one character.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    /// Python's `str.isspace` / regex `\s` for one character.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Python's `str.strip()` family; `characters` nil means whitespace.
    static func strip(_ value: String, _ characters: String?, leading: Bool, trailing: Bool) -> String {
        let scalars = Array(value.unicodeScalars)
        let set = characters.map { Set($0.unicodeScalars) }
        func strippable(_ scalar: Unicode.Scalar) -> Bool { set?.contains(scalar) ?? isSpace(scalar) }
        var start = 0
        var end = scalars.count
        if leading { while start < end, strippable(scalars[start]) { start += 1 } }
        if trailing { while end > start, strippable(scalars[end - 1]) { end -= 1 } }
        return make(scalars[start..<end])
    }

    static func make<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    static func length(_ value: String) -> Int { value.unicodeScalars.count }

    static func equal(_ lhs: String, _ rhs: String) -> Bool { lhs.utf8.elementsEqual(rhs.utf8) }

    /// Code-point order, as Python compares strings (UTF-8 byte order is the same order).
    static func less(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// `str.splitlines()` boundaries.
    static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    static func splitLines(_ value: String, keepEnds: Bool = false) -> [String] {
        let scalars = Array(value.unicodeScalars)
        var lines: [String] = []
        var start = 0
        var index = 0
        while index < scalars.count {
            if isLineBreak(scalars[index]) {
                var end = index + 1
                if scalars[index] == "\r", end < scalars.count, scalars[end] == "\n" { end += 1 }
                lines.append(make(scalars[start..<(keepEnds ? end : index)]))
                start = end
                index = end
            } else {
                index += 1
            }
        }
        if start < scalars.count { lines.append(make(scalars[start...])) }
        return lines
    }
}
