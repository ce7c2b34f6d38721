/// A strict, allocation-free JSON syntax check (RFC 8259) that also refuses what PostgreSQL's `jsonb`
/// refuses: the escape `\u0000` and unpaired UTF-16 surrogates. Deeply nested input is refused too, so
/// that a hostile document cannot exhaust a parser's stack later.
public enum JSONValidator {
    public static let maximumDepth = 256

    /// `nil` when `text` is acceptable, otherwise what is wrong and where.
    public static func problem(in text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var parser = Parser(bytes: bytes)
            do throws(Failure) {
                parser.skipWhitespace()
                try parser.value(depth: 0)
                parser.skipWhitespace()
                if parser.index != bytes.count { throw Failure(parser.index, "unexpected data after the value") }
                return nil
            } catch {
                return "\(error.reason) at byte \(error.offset)"
            }
        }
    }

    private struct Failure: Error {
        let offset: Int
        let reason: String
        init(_ offset: Int, _ reason: String) {
            self.offset = offset
            self.reason = reason
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
            guard current == byte else { throw Failure(index, "expected \(what)") }
            index += 1
        }

        mutating func value(depth: Int) throws(Failure) {
            guard depth < JSONValidator.maximumDepth else { throw Failure(index, "nesting deeper than \(JSONValidator.maximumDepth)") }
            guard let byte = current else { throw Failure(index, "unexpected end of input") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw Failure(index, "unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw Failure(index, "unexpected end of input") }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
                throw Failure(index, "invalid literal")
            }
            index += count
        }

        mutating func object(depth: Int) throws(Failure) {
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw Failure(index, "expected a string key") }
                try string()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':'")
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                return
            }
        }

        mutating func array(depth: Int) throws(Failure) {
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return
            }
        }

        mutating func digits() -> Int {
            let start = index
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }

        mutating func number() throws(Failure) {
            if current == UInt8(ascii: "-") { index += 1 }
            if current == UInt8(ascii: "0") {
                index += 1
            } else if digits() == 0 {
                throw Failure(index, "expected a digit")
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw Failure(index, "expected a digit after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw Failure(index, "expected a digit in the exponent") }
            }
        }

        mutating func hexQuad() throws(Failure) -> UInt16 {
            guard index + 4 <= bytes.count else { throw Failure(index, "unexpected end of input in \\u escape") }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Failure(index, "invalid hex digit in \\u escape")
                }
                value = value << 4 | UInt16(digit)
                index += 1
            }
            return value
        }

        /// Strings arrive as Swift `String`s, so their UTF-8 is already valid; only escapes need checking.
        mutating func string() throws(Failure) {
            index += 1
            while true {
                guard let byte = current else { throw Failure(index, "unterminated string") }
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    index += 1
                    try escape()
                case 0..<0x20:
                    throw Failure(index, "control character in string")
                default:
                    index += 1
                }
            }
        }

        mutating func escape() throws(Failure) {
            guard let byte = current else { throw Failure(index, "unterminated escape") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                 UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                return
            case UInt8(ascii: "u"):
                let unit = try hexQuad()
                if unit == 0 { throw Failure(index, "\\u0000 is not accepted") }
                if (0xDC00...0xDFFF).contains(unit) { throw Failure(index, "unpaired low surrogate") }
                if (0xD800...0xDBFF).contains(unit) {
                    guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                        throw Failure(index, "unpaired high surrogate")
                    }
                    index += 2
                    let low = try hexQuad()
                    guard (0xDC00...0xDFFF).contains(low) else { throw Failure(index, "unpaired high surrogate") }
                }
            default:
                throw Failure(index - 1, "invalid escape")
            }
        }
    }
}
