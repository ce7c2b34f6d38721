/// Writes JSON text directly, for hot paths that turn other formats into span attributes without
/// building a `JSONValue` tree first. The caller keeps the structure balanced.
public struct JSONWriter: Sendable {
    public private(set) var text = ""
    private var needsComma = [false]

    public init(capacity: Int = 256) {
        text.reserveCapacity(capacity)
    }

    public mutating func beginObject() {
        separate()
        text.append("{")
        needsComma.append(false)
    }

    public mutating func endObject() {
        text.append("}")
        needsComma.removeLast()
    }

    public mutating func beginArray() {
        separate()
        text.append("[")
        needsComma.append(false)
    }

    public mutating func endArray() {
        text.append("]")
        needsComma.removeLast()
    }

    /// An object key; the value written next belongs to it.
    public mutating func key(_ key: String) {
        separate()
        appendString(key)
        text.append(":")
        needsComma[needsComma.count - 1] = false
    }

    public mutating func string(_ value: String) {
        separate()
        appendString(value)
    }

    public mutating func bool(_ value: Bool) {
        separate()
        text.append(value ? "true" : "false")
    }

    public mutating func integer(_ value: Int64) {
        separate()
        text.append(String(value))
    }

    /// Finite numbers as JSON numbers; NaN and infinities, which JSON cannot hold, as strings.
    public mutating func number(_ value: Double) {
        separate()
        if value.isFinite {
            text.append(value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value))
        } else {
            appendString(value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity")
        }
    }

    public mutating func null() {
        separate()
        text.append("null")
    }

    /// Text that is already valid JSON (a nested document).
    public mutating func raw(_ json: JSONText) {
        separate()
        text.append(json.text)
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { text.append(",") }
        needsComma[needsComma.count - 1] = true
    }

    /// A string literal. NUL becomes U+FFFD: PostgreSQL cannot store it, and the store refuses `\u0000`.
    private mutating func appendString(_ value: String) {
        text.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text.append("\\\"")
            case "\\": text.append("\\\\")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            case "\t": text.append("\\t")
            case "\u{0}": text.append("\u{FFFD}")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text.append("\"")
    }
}
