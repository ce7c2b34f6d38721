import Foundation

/// `str.format` with auto/positional/keyword fields, `!s`/`!r` conversions and the common part of
/// the format-spec mini-language (fill, align, sign, zero padding, width, precision, `s d f e % x o b`).
enum FormatString {
    static func format(_ template: String, _ arguments: Arguments) throws -> String {
        let scalars = Array(template.unicodeScalars)
        var out = ""
        var index = 0
        var autoIndex = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "}" {
                guard index + 1 < scalars.count, scalars[index + 1] == "}" else {
                    throw TemplateError(.type, "Single '}' encountered in format string")
                }
                out += "}"
                index += 2
                continue
            }
            guard scalar == "{" else {
                out.unicodeScalars.append(scalar)
                index += 1
                continue
            }
            if index + 1 < scalars.count, scalars[index + 1] == "{" {
                out += "{"
                index += 2
                continue
            }
            var end = index + 1
            while end < scalars.count, scalars[end] != "}" { end += 1 }
            guard end < scalars.count else { throw TemplateError(.type, "Single '{' encountered in format string") }
            var field = PythonString.make(scalars[(index + 1)..<end])
            index = end + 1
            var spec = ""
            if let colon = field.firstIndex(of: ":") {
                spec = String(field[field.index(after: colon)...])
                field = String(field[..<colon])
            }
            var conversion: Character?
            if let bang = field.firstIndex(of: "!") {
                conversion = field[field.index(after: bang)...].first
                field = String(field[..<bang])
            }
            var value: Value
            if field.isEmpty {
                guard autoIndex < arguments.positional.count else { throw TemplateError(.type, "Replacement index \(autoIndex) out of range for positional args tuple") }
                value = arguments.positional[autoIndex]
                autoIndex += 1
            } else if let position = Int(field) {
                guard position < arguments.positional.count else { throw TemplateError(.type, "Replacement index \(position) out of range for positional args tuple") }
                value = arguments.positional[position]
            } else if let keyword = arguments.keyword.first(where: { $0.0 == field }) {
                value = keyword.1
            } else {
                throw TemplateError(.unsupported, "format field '\(field)' is not supported")
            }
            switch conversion {
            case "r": value = .string(value.pythonRepr)
            case "s": value = .string(value.pythonString)
            case nil: break
            default: throw TemplateError(.type, "Unknown conversion specifier \(conversion!)")
            }
            out += try formatValue(value, spec: spec)
        }
        return out
    }

    /// Formats one value with a format spec, as `format(value, spec)` does.
    static func formatValue(_ value: Value, spec: String) throws -> String {
        if spec.isEmpty { return value.pythonString }
        var chars = Array(spec.unicodeScalars)
        var fill: Unicode.Scalar = " "
        var align: Character?
        if chars.count >= 2, "<>^=".unicodeScalars.contains(chars[1]) {
            fill = chars[0]
            align = Character(chars[1])
            chars.removeFirst(2)
        } else if let first = chars.first, "<>^=".unicodeScalars.contains(first) {
            align = Character(first)
            chars.removeFirst()
        }
        var sign: Character = "-"
        if let first = chars.first, "+- ".unicodeScalars.contains(first) {
            sign = Character(first)
            chars.removeFirst()
        }
        if chars.first == "0" {
            if align == nil { fill = "0"; align = "=" }
            chars.removeFirst()
        }
        var widthText = ""
        while let first = chars.first, first.properties.numericType == .decimal { widthText.unicodeScalars.append(first); chars.removeFirst() }
        var precision: Int?
        if chars.first == "." {
            chars.removeFirst()
            var digits = ""
            while let first = chars.first, first.properties.numericType == .decimal { digits.unicodeScalars.append(first); chars.removeFirst() }
            precision = Int(digits)
        }
        let type = chars.first.map(Character.init)
        if chars.count > 1 { throw TemplateError(.unsupported, "format spec '\(spec)' is not supported") }
        var body: String
        var negative = false
        switch (type, value) {
        case (nil, .string(let text)), ("s", .string(let text)):
            body = precision.map { PythonString.make(text.unicodeScalars.prefix($0)) } ?? text
        case ("d", _), ("x", _), ("X", _), ("o", _), ("b", _), (nil, .int), (nil, .bool):
            guard case .int(let integer)? = Operators.number(value) else { throw TemplateError(.type, "Unknown format code '\(type ?? "d")' for object of type '\(value.typeName)'") }
            // A bool with a non-empty spec formats as the integer (format(True, "<6") is "1     ").
            negative = integer < 0
            let radix = type == "x" || type == "X" ? 16 : (type == "o" ? 8 : (type == "b" ? 2 : 10))
            body = String(integer.magnitude, radix: radix, uppercase: type == "X")
        case ("f", _), ("F", _), ("e", _), ("E", _), ("%", _), ("g", _), (nil, .double):
            guard let number = Operators.number(value) else { throw TemplateError(.type, "Unknown format code '\(type!)' for object of type '\(value.typeName)'") }
            var double = number.double
            negative = double < 0 || (double == 0 && double.sign == .minus)
            double = Swift.abs(double)
            switch type {
            case "f", "F": body = String(format: "%.\(precision ?? 6)f", double)
            case "e", "E": body = String(format: "%.\(precision ?? 6)\(type!)", double)
            case "%": body = String(format: "%.\(precision ?? 6)f", double * 100) + "%"
            case "g": body = String(format: "%.\(precision ?? 6)g", double)
            default: body = precision.map { String(format: "%.\($0)g", double) } ?? PythonFloat.repr(double)
            }
        default:
            throw TemplateError(.unsupported, "format spec '\(spec)' for \(value.typeName) is not supported")
        }
        let signText = negative ? "-" : (sign == "+" ? "+" : (sign == " " ? " " : ""))
        let width = Int(widthText) ?? 0
        let isNumber: Bool = { if case .string = value { return false }; return true }()
        let alignment = align ?? (isNumber ? ">" : "<")
        if alignment == "=" {
            let padding = max(0, width - PythonString.length(signText + body))
            return signText + String(repeating: String(fill), count: padding) + body
        }
        return PythonStringMethods.pad(signText + body, width: width, fill: fill, align: alignment)
    }
}

/// printf-style `'%s' % value` formatting.
enum PercentFormat {
    static func format(_ template: String, _ argument: Value) throws -> String {
        var values: [Value]
        var mapping: Dict?
        switch argument {
        case .tuple(let items): values = items
        case .dict(let dict): values = [argument]; mapping = dict
        default: values = [argument]
        }
        let scalars = Array(template.unicodeScalars)
        var out = ""
        var index = 0
        var next = 0
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "%" else {
                out.unicodeScalars.append(scalar)
                index += 1
                continue
            }
            index += 1
            guard index < scalars.count else { throw TemplateError(.type, "incomplete format") }
            var key: String?
            if scalars[index] == "(" {
                var end = index + 1
                while end < scalars.count, scalars[end] != ")" { end += 1 }
                guard end < scalars.count else { throw TemplateError(.type, "incomplete format key") }
                key = PythonString.make(scalars[(index + 1)..<end])
                index = end + 1
            }
            var flags = ""
            while index < scalars.count, "-+ 0#".unicodeScalars.contains(scalars[index]) { flags.unicodeScalars.append(scalars[index]); index += 1 }
            var width = ""
            while index < scalars.count, scalars[index].properties.numericType == .decimal { width.unicodeScalars.append(scalars[index]); index += 1 }
            var precision: String?
            if index < scalars.count, scalars[index] == "." {
                index += 1
                var digits = ""
                while index < scalars.count, scalars[index].properties.numericType == .decimal { digits.unicodeScalars.append(scalars[index]); index += 1 }
                precision = digits
            }
            guard index < scalars.count else { throw TemplateError(.type, "incomplete format") }
            let type = Character(scalars[index])
            index += 1
            if type == "%" {
                out += "%"
                continue
            }
            let value: Value
            if let key {
                guard let mapping, let found = mapping[key] else { throw TemplateError(.type, "format requires a mapping") }
                value = found
            } else {
                guard next < values.count else { throw TemplateError(.type, "not enough arguments for format string") }
                value = values[next]
                next += 1
            }
            var spec = ""
            if flags.contains("-") { spec += "<" } else if flags.contains("0"), type != "s", type != "r" { spec += "0" }
            if flags.contains("+") { spec = (spec.hasPrefix("<") ? "<+" : "+") + spec.replacingOccurrences("<", "") }
            spec += width
            if let precision { spec += "." + (precision.isEmpty ? "0" : precision) }
            switch type {
            case "s": out += try FormatString.formatValue(.string(value.pythonString), spec: spec.isEmpty ? "" : (spec.hasPrefix("<") || spec.hasPrefix("0") ? spec : ">" + spec))
            case "r": out += try FormatString.formatValue(.string(value.pythonRepr), spec: spec.isEmpty ? "" : ">" + spec)
            case "d", "i", "u":
                guard let number = Operators.number(value) else { throw TemplateError(.type, "%\(type) format: a real number is required, not \(value.typeName)") }
                let integer: Int
                switch number {
                case .int(let exact): integer = exact
                case .double(let double): integer = Int(double.rounded(.towardZero))
                }
                out += try FormatString.formatValue(.int(integer), spec: spec.replacingOccurrences(".", "").isEmpty ? "" : spec + "d")
            case "f", "F", "e", "E", "g", "x", "X", "o":
                guard Operators.number(value) != nil else { throw TemplateError(.type, "must be real number, not \(value.typeName)") }
                let coerced: Value = ("xXo".contains(type)) ? value : .double(Operators.number(value)!.double)
                out += try FormatString.formatValue(coerced, spec: spec + String(type))
            default:
                throw TemplateError(.unsupported, "unsupported format character '\(type)'")
            }
        }
        if mapping == nil, next < values.count {
            throw TemplateError(.type, "not all arguments converted during string formatting")
        }
        return out
    }
}
