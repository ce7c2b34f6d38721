/// Splits template source into tokens exactly as Jinja2's lexer does with `trim_blocks=True` and
/// `lstrip_blocks=True`: newlines normalised to `\n`, one trailing newline dropped, `-`/`+` whitespace
/// control on every tag, the first newline after a block or comment tag removed, and the indentation
/// before a block or comment tag that starts its line removed.
struct Lexer {
    private let source: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    private var lineStarting = true
    private var tokens: [LexedToken] = []
    private let trimBlocks = true
    private let lstripBlocks = true

    static func tokenize(_ text: String) throws -> [LexedToken] {
        var lexer = Lexer(source: normalizeNewlines(text))
        try lexer.run()
        return lexer.tokens
    }

    private init(source: [Unicode.Scalar]) { self.source = source }

    /// `\r\n` and `\r` become `\n`, and one trailing newline goes (`keep_trailing_newline=False`).
    private static func normalizeNewlines(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\r" {
                out.append("\n")
                if index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
            } else {
                out.append(scalar)
            }
            index += 1
        }
        if out.last == "\n" { out.removeLast() }
        return out
    }

    private func fail(_ message: String) -> TemplateError {
        TemplateError(.syntax, message, line: line)
    }

    private func at(_ offset: Int) -> Unicode.Scalar? {
        offset < source.count ? source[offset] : nil
    }

    private func matches(_ literal: String, at offset: Int) -> Bool {
        var index = offset
        for scalar in literal.unicodeScalars {
            guard index < source.count, source[index] == scalar else { return false }
            index += 1
        }
        return true
    }

    private func newlines(_ range: Range<Int>) -> Int {
        var count = 0
        for index in range where source[index] == "\n" { count += 1 }
        return count
    }

    private func skipSpace(from offset: Int) -> Int {
        var index = offset
        while index < source.count, PythonString.isSpace(source[index]) { index += 1 }
        return index
    }

    private mutating func emit(_ token: Token) {
        tokens.append(LexedToken(token: token, line: line))
    }

    private enum TagKind { case comment, block, variable, raw }

    // MARK: Root state

    private mutating func run() throws {
        while position < source.count {
            var opener = position
            var kind: TagKind?
            while opener + 1 < source.count {
                if source[opener] == "{" {
                    switch source[opener + 1] {
                    case "{": kind = .variable
                    case "%": kind = .block
                    case "#": kind = .comment
                    default: break
                    }
                    if kind != nil { break }
                }
                opener += 1
            }
            guard let foundKind = kind else {
                emitData(position..<source.count, strippedNewlines: 0)
                position = source.count
                break
            }
            var tagKind = foundKind
            var sign = at(opener + 2).flatMap { $0 == "-" || $0 == "+" ? $0 : nil }
            var afterOpener = opener + 2 + (sign == nil ? 0 : 1)
            if tagKind == .block, let raw = matchRawBegin(at: opener) {
                tagKind = .raw
                sign = raw.sign
                afterOpener = raw.end
            }
            let textRange = stripText(position..<opener, sign: sign, isVariable: tagKind == .variable)
            emitData(textRange.range, strippedNewlines: textRange.strippedNewlines)
            lineStarting = source[afterOpener - 1] == "\n"
            line += newlines(opener..<afterOpener)
            position = afterOpener
            switch tagKind {
            case .comment: try lexComment()
            case .raw: try lexRaw()
            case .block:
                emit(.blockBegin)
                try lexTag(isBlock: true)
            case .variable:
                emit(.variableBegin)
                try lexTag(isBlock: false)
            }
        }
        emit(.eof)
    }

    private mutating func emitData(_ range: Range<Int>, strippedNewlines: Int) {
        if !range.isEmpty {
            emit(.data(PythonString.make(source[range])))
        }
        line += newlines(range) + strippedNewlines
    }

    /// Applies `-` (strip all whitespace before the tag) or `lstrip_blocks` to the text before a tag.
    private func stripText(_ range: Range<Int>, sign: Unicode.Scalar?, isVariable: Bool) -> (range: Range<Int>, strippedNewlines: Int) {
        if sign == "-" {
            var end = range.upperBound
            while end > range.lowerBound, PythonString.isSpace(source[end - 1]) { end -= 1 }
            return (range.lowerBound..<end, newlines(end..<range.upperBound))
        }
        if sign != "+", lstripBlocks, !isVariable {
            var lineStart = range.upperBound
            while lineStart > range.lowerBound, source[lineStart - 1] != "\n" { lineStart -= 1 }
            let atNewline = lineStart > range.lowerBound
            if atNewline || lineStarting, lineStart < range.upperBound,
               (lineStart..<range.upperBound).allSatisfy({ PythonString.isSpace(source[$0]) }) {
                return (range.lowerBound..<lineStart, 0)
            }
        }
        return (range, 0)
    }

    /// `{%(-|+|)\s*raw\s*(-%}\s*|%})` at `offset`.
    private func matchRawBegin(at offset: Int) -> (sign: Unicode.Scalar?, end: Int)? {
        var index = offset + 2
        var sign: Unicode.Scalar?
        if let scalar = at(index), scalar == "-" || scalar == "+" {
            sign = scalar
            index += 1
        }
        index = skipSpace(from: index)
        guard matches("raw", at: index) else { return nil }
        index = skipSpace(from: index + 3)
        if matches("-%}", at: index) { return (sign, skipSpace(from: index + 3)) }
        if matches("%}", at: index) { return (sign, index + 2) }
        return nil
    }

    /// The end of a block or comment tag: `+%}`, `-%}` plus whitespace, or `%}` plus one newline.
    private func matchTagEnd(_ close: String, at offset: Int, trim: Bool) -> Int? {
        if matches("+" + close, at: offset) { return offset + 3 }
        if matches("-" + close, at: offset) { return skipSpace(from: offset + 3) }
        if matches(close, at: offset) {
            var end = offset + 2
            if trim, at(end) == "\n" { end += 1 }
            return end
        }
        return nil
    }

    // MARK: Comments and raw blocks

    private mutating func lexComment() throws {
        var index = position
        while index < source.count {
            if let end = matchTagEnd("#}", at: index, trim: trimBlocks) {
                finishMatch(from: position, to: end)
                return
            }
            index += 1
        }
        throw fail("Missing end of comment tag")
    }

    private mutating func lexRaw() throws {
        var index = position
        while index < source.count {
            if source[index] == "{", at(index + 1) == "%" {
                var cursor = index + 2
                var sign: Unicode.Scalar?
                if let scalar = at(cursor), scalar == "-" || scalar == "+" {
                    sign = scalar
                    cursor += 1
                }
                cursor = skipSpace(from: cursor)
                if matches("endraw", at: cursor), let end = matchTagEnd("%}", at: skipSpace(from: cursor + 6), trim: trimBlocks) {
                    let text = stripText(position..<index, sign: sign, isVariable: false)
                    emitData(text.range, strippedNewlines: text.strippedNewlines)
                    line += newlines(index..<end)
                    lineStarting = source[end - 1] == "\n"
                    position = end
                    return
                }
            }
            index += 1
        }
        throw fail("Missing end of raw directive")
    }

    private mutating func finishMatch(from start: Int, to end: Int) {
        line += newlines(start..<end)
        lineStarting = end > start && source[end - 1] == "\n"
        position = end
    }

    // MARK: Inside {{ }} and {% %}

    private static let operators: [String] = [
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ]

    private mutating func lexTag(isBlock: Bool) throws {
        var balancing: [Unicode.Scalar] = []
        while true {
            guard position < source.count else {
                throw fail(isBlock ? "Unexpected end of template, expected end of statement block" : "Unexpected end of template, expected end of print statement")
            }
            if balancing.isEmpty {
                if isBlock, let end = matchTagEnd("%}", at: position, trim: trimBlocks) {
                    emit(.blockEnd)
                    finishMatch(from: position, to: end)
                    return
                }
                if !isBlock {
                    if matches("-}}", at: position) {
                        emit(.variableEnd)
                        finishMatch(from: position, to: skipSpace(from: position + 3))
                        return
                    }
                    if matches("}}", at: position) {
                        emit(.variableEnd)
                        finishMatch(from: position, to: position + 2)
                        return
                    }
                }
            }
            let scalar = source[position]
            if PythonString.isSpace(scalar) {
                let end = skipSpace(from: position)
                finishMatch(from: position, to: end)
                continue
            }
            if let (token, end) = try lexNumber() {
                emit(token)
                position = end
                continue
            }
            if isNameStart(scalar) {
                var end = position + 1
                while end < source.count, isNameContinue(source[end]) { end += 1 }
                emit(.name(PythonString.make(source[position..<end])))
                position = end
                continue
            }
            if scalar == "'" || scalar == "\"" {
                if let end = stringEnd(from: position) {
                    let body = PythonString.make(source[(position + 1)..<(end - 1)])
                    emit(.string(try Lexer.unescape(body, line: line)))
                    finishMatch(from: position, to: end)
                    continue
                }
            }
            if let op = Lexer.operators.first(where: { matches($0, at: position) }) {
                switch op {
                case "{": balancing.append("}")
                case "(": balancing.append(")")
                case "[": balancing.append("]")
                case "}", ")", "]":
                    guard let expected = balancing.popLast() else { throw fail("unexpected '\(op)'") }
                    guard String(expected) == op else { throw fail("unexpected '\(op)', expected '\(expected)'") }
                default: break
                }
                emit(.op(op))
                position += op.unicodeScalars.count
                continue
            }
            throw fail("unexpected char \(PythonString.repr(String(scalar))) at \(position)")
        }
    }

    private func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isXIDStart
    }

    private func isNameContinue(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isXIDContinue
    }

    private func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return scalar.value >= 0x30 && scalar.value <= 0x39
    }

    /// `(\d+_)*\d+` from `offset`; returns the end or nil.
    private func digitRun(from offset: Int) -> Int? {
        guard isDigit(at(offset)) else { return nil }
        var index = offset
        while true {
            while isDigit(at(index)) { index += 1 }
            if at(index) == "_", isDigit(at(index + 1)) {
                index += 1
                continue
            }
            return index
        }
    }

    private func exponent(from offset: Int) -> Int? {
        guard let e = at(offset), e == "e" || e == "E" else { return nil }
        var index = offset + 1
        if let sign = at(index), sign == "+" || sign == "-" { index += 1 }
        return digitRun(from: index)
    }

    private func lexNumber() throws -> (Token, Int)? {
        guard isDigit(at(position)) else { return nil }
        // Floats first, as Jinja2's rule order has it; never right after a dot (`x.0.1`).
        if position == 0 || source[position - 1] != ".", let integerEnd = digitRun(from: position) {
            var end: Int?
            if at(integerEnd) == ".", let fractionEnd = digitRun(from: integerEnd + 1) {
                end = exponent(from: fractionEnd) ?? fractionEnd
            } else if let exponentEnd = exponent(from: integerEnd) {
                end = exponentEnd
            }
            if let end {
                let text = PythonString.make(source[position..<end]).replacingOccurrences("_", "")
                guard let value = Double(text) else { throw fail("invalid float literal \(text)") }
                return (.float(value), end)
            }
        }
        // Integers: 0b/0o/0x prefixes, decimal without leading zeros, or zeros.
        if source[position] == "0", let prefix = at(position + 1), "bBoOxX".unicodeScalars.contains(prefix) {
            let radix = prefix == "b" || prefix == "B" ? 2 : (prefix == "o" || prefix == "O" ? 8 : 16)
            var index = position + 2
            var digits = ""
            while true {
                var cursor = index
                if at(cursor) == "_" { cursor += 1 }
                guard let scalar = at(cursor), Int(String(scalar), radix: radix) != nil else { break }
                digits.unicodeScalars.append(scalar)
                index = cursor + 1
            }
            if !digits.isEmpty {
                guard let value = Int(digits, radix: radix) else { throw TemplateError(.unsupported, "integer literal too large", line: line) }
                return (.integer(value), index)
            }
        }
        var index = position
        if source[position] == "0" {
            index += 1
            while at(index) == "_" && at(index + 1) == "0" || at(index) == "0" { index += at(index) == "_" ? 2 : 1 }
            return (.integer(0), index)
        }
        var digits = ""
        while true {
            if let scalar = at(index), isDigit(scalar) {
                digits.unicodeScalars.append(scalar)
                index += 1
            } else if at(index) == "_", isDigit(at(index + 1)) {
                index += 1
            } else {
                break
            }
        }
        guard let value = Int(digits) else { throw TemplateError(.unsupported, "integer literal \(digits) does not fit in 64 bits", line: line) }
        return (.integer(value), index)
    }

    /// The index after the closing quote of a string literal starting at `offset`.
    private func stringEnd(from offset: Int) -> Int? {
        let quote = source[offset]
        var index = offset + 1
        while index < source.count {
            let scalar = source[index]
            if scalar == "\\" {
                index += 2
                continue
            }
            if scalar == quote { return index + 1 }
            index += 1
        }
        return nil
    }

    /// Python's `unicode-escape` decoding of a string literal's body.
    static func unescape(_ body: String, line: Int) throws -> String {
        let scalars = Array(body.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        func hexValue(_ count: Int, _ name: String) throws -> UInt32 {
            guard index + count <= scalars.count else {
                throw TemplateError(.syntax, "truncated \(name) escape", line: line)
            }
            var value: UInt32 = 0
            for offset in 0..<count {
                guard let digit = Int(String(scalars[index + offset]), radix: 16) else {
                    throw TemplateError(.syntax, "truncated \(name) escape", line: line)
                }
                value = value * 16 + UInt32(digit)
            }
            index += count
            return value
        }
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "\\", index + 1 < scalars.count else {
                out.append(scalar)
                index += 1
                continue
            }
            let next = scalars[index + 1]
            index += 2
            switch next {
            case "\n": break
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "0"..."7":
                var value = next.value - 0x30
                var digits = 1
                while digits < 3, index < scalars.count, ("0"..."7").contains(scalars[index]) {
                    value = value * 8 + scalars[index].value - 0x30
                    index += 1
                    digits += 1
                }
                out.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            case "x":
                out.append(Unicode.Scalar(try hexValue(2, "\\xXX")) ?? "\u{FFFD}")
            case "u":
                out.append(Unicode.Scalar(try hexValue(4, "\\uXXXX")) ?? "\u{FFFD}")
            case "U":
                let value = try hexValue(8, "\\UXXXXXXXX")
                guard let decoded = Unicode.Scalar(value) else {
                    throw TemplateError(.syntax, "illegal Unicode character", line: line)
                }
                out.append(decoded)
            case "N":
                throw TemplateError(.unsupported, "\\N{...} escapes in string literals are not supported", line: line)
            default:
                out.append("\\")
                if next.value < 0x80 {
                    out.append(next)
                } else {
                    // The literal was backslash-replaced to ASCII first, so `\é` decodes to `\xe9` text.
                    let hex = String(next.value, radix: 16)
                    let (letter, width) = next.value <= 0xFF ? ("x", 2) : (next.value <= 0xFFFF ? ("u", 4) : ("U", 8))
                    out.append(contentsOf: (letter + String(repeating: "0", count: width - hex.count) + hex).unicodeScalars)
                }
            }
        }
        return String(out)
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        PythonStringMethods.replace(self, target, replacement, count: -1)
    }
}
