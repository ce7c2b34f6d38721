/// Python `str` methods on Unicode scalars (Python's code points).
enum PythonStringMethods {
    typealias Scalars = [Unicode.Scalar]

    static func find(_ haystack: String, _ needle: String, from start: Int = 0, to end: Int? = nil) -> Int {
        find(Array(haystack.unicodeScalars), Array(needle.unicodeScalars), from: start, to: end)
    }

    static func find(_ haystack: Scalars, _ needle: Scalars, from start: Int = 0, to end: Int? = nil) -> Int {
        let (lower, upper) = clamp(haystack.count, start, end)
        guard needle.count <= upper - lower else { return -1 }
        if needle.isEmpty { return lower }
        var index = lower
        while index + needle.count <= upper {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return -1
    }

    static func rfind(_ haystack: Scalars, _ needle: Scalars, from start: Int = 0, to end: Int? = nil) -> Int {
        let (lower, upper) = clamp(haystack.count, start, end)
        guard needle.count <= upper - lower else { return -1 }
        var index = upper - needle.count
        while index >= lower {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index -= 1
        }
        return -1
    }

    /// Python's slice-style clamping of `start`/`end` arguments.
    static func clamp(_ count: Int, _ start: Int, _ end: Int?) -> (Int, Int) {
        func adjust(_ value: Int) -> Int {
            value < 0 ? max(0, value + count) : min(value, count)
        }
        return (adjust(start), adjust(end ?? count))
    }

    static func count(_ haystack: String, _ needle: String) -> Int {
        let hay = Array(haystack.unicodeScalars)
        let pin = Array(needle.unicodeScalars)
        if pin.isEmpty { return hay.count + 1 }
        var total = 0
        var index = 0
        while true {
            let found = find(hay, pin, from: index)
            if found < 0 { return total }
            total += 1
            index = found + pin.count
        }
    }

    static func replace(_ text: String, _ old: String, _ new: String, count: Int) -> String {
        let hay = Array(text.unicodeScalars)
        let pin = Array(old.unicodeScalars)
        let replacement = Array(new.unicodeScalars)
        var out: Scalars = []
        var remaining = count < 0 ? Int.max : count
        if pin.isEmpty {
            for scalar in hay {
                if remaining > 0 {
                    out += replacement
                    remaining -= 1
                }
                out.append(scalar)
            }
            if remaining > 0 { out += replacement }
            return PythonString.make(out)
        }
        var index = 0
        while index < hay.count {
            if remaining > 0, index + pin.count <= hay.count, hay[index..<(index + pin.count)].elementsEqual(pin) {
                out += replacement
                index += pin.count
                remaining -= 1
            } else {
                out.append(hay[index])
                index += 1
            }
        }
        return PythonString.make(out)
    }

    static func split(_ text: String, _ separator: String?, maxSplit: Int) throws -> [String] {
        let scalars = Array(text.unicodeScalars)
        var parts: [String] = []
        var remaining = maxSplit < 0 ? Int.max : maxSplit
        guard let separator else {
            var index = 0
            while index < scalars.count {
                while index < scalars.count, PythonString.isSpace(scalars[index]) { index += 1 }
                if index >= scalars.count { break }
                if remaining == 0 {
                    parts.append(PythonString.make(scalars[index...]))
                    break
                }
                let start = index
                while index < scalars.count, !PythonString.isSpace(scalars[index]) { index += 1 }
                parts.append(PythonString.make(scalars[start..<index]))
                remaining -= 1
            }
            return parts
        }
        let pin = Array(separator.unicodeScalars)
        guard !pin.isEmpty else { throw TemplateError(.type, "empty separator") }
        var start = 0
        while remaining > 0 {
            let found = find(scalars, pin, from: start)
            if found < 0 { break }
            parts.append(PythonString.make(scalars[start..<found]))
            start = found + pin.count
            remaining -= 1
        }
        parts.append(PythonString.make(scalars[start...]))
        return parts
    }

    static func rsplit(_ text: String, _ separator: String?, maxSplit: Int) throws -> [String] {
        if maxSplit < 0 { return try split(text, separator, maxSplit: -1) }
        let scalars = Array(text.unicodeScalars)
        var parts: [String] = []
        var remaining = maxSplit
        guard let separator else {
            var index = scalars.count
            while index > 0 {
                while index > 0, PythonString.isSpace(scalars[index - 1]) { index -= 1 }
                if index == 0 { break }
                if remaining == 0 {
                    parts.append(PythonString.make(scalars[..<index]))
                    break
                }
                let end = index
                while index > 0, !PythonString.isSpace(scalars[index - 1]) { index -= 1 }
                parts.append(PythonString.make(scalars[index..<end]))
                remaining -= 1
            }
            return parts.reversed()
        }
        let pin = Array(separator.unicodeScalars)
        guard !pin.isEmpty else { throw TemplateError(.type, "empty separator") }
        var end = scalars.count
        while remaining > 0 {
            let found = rfind(scalars, pin, from: 0, to: end)
            if found < 0 { break }
            parts.append(PythonString.make(scalars[(found + pin.count)..<end]))
            end = found
            remaining -= 1
        }
        parts.append(PythonString.make(scalars[..<end]))
        return parts.reversed()
    }

    static func upper(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars { out += scalar.properties.uppercaseMapping }
        return out
    }

    static func lower(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars { out += scalar.properties.lowercaseMapping }
        return out
    }

    static func isCased(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isUppercase || scalar.properties.isLowercase || scalar.properties.generalCategory == .titlecaseLetter
    }

    /// `str.title()`.
    static func title(_ text: String) -> String {
        var out = ""
        var previousCased = false
        for scalar in text.unicodeScalars {
            if previousCased {
                out += scalar.properties.lowercaseMapping
            } else {
                out += scalar.properties.titlecaseMapping
            }
            previousCased = isCased(scalar)
        }
        return out
    }

    /// `str.capitalize()`.
    static func capitalize(_ text: String) -> String {
        var out = ""
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            out += offset == 0 ? scalar.properties.titlecaseMapping : scalar.properties.lowercaseMapping
        }
        return out
    }

    static func swapcase(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.isUppercase {
                out += scalar.properties.lowercaseMapping
            } else if scalar.properties.isLowercase {
                out += scalar.properties.uppercaseMapping
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.numericType == .decimal || scalar.properties.numericType == .digit
    }

    static func isAlpha(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `text` padded to `width` characters with `fill`, aligned as `str.format`'s "<", ">" or "^" say.
    /// Centred with an odd amount of fill, format puts the extra one on the right; `str.center` (with
    /// `strCenter`) puts it on the left when the target width is odd too (CPython's rule).
    static func pad(_ text: String, width: Int, fill: Unicode.Scalar, align: Character, strCenter: Bool = false) -> String {
        let length = PythonString.length(text)
        guard width > length else { return text }
        let total = width - length
        let fillText = String(fill)
        switch align {
        case "<": return text + String(repeating: fillText, count: total)
        case ">": return String(repeating: fillText, count: total) + text
        default:
            let left = total / 2 + (strCenter ? total & width & 1 : 0)
            return String(repeating: fillText, count: left) + text + String(repeating: fillText, count: total - left)
        }
    }
}
