/// Writes JSON text directly as UTF-8 bytes, for hot paths that turn other formats into span attributes
/// without building a `JSONValue` tree first. The caller keeps the structure balanced.
public struct JSONWriter: Sendable {
    private var bytes: [UInt8] = []
    /// Whether a value was just written at this level, so the next one needs a comma. One flag is
    /// enough: `{`/`[` and a key clear it, a value (a closed container included) sets it.
    private var afterValue = false

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        afterValue = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        afterValue = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        afterValue = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        afterValue = true
    }

    /// An object key; the value written next belongs to it.
    public mutating func key(_ key: String) {
        separate()
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
        afterValue = false
    }

    public mutating func string(_ value: String) {
        separate()
        appendString(value)
    }

    public mutating func bool(_ value: Bool) {
        separate()
        appendASCII(value ? "true" : "false")
    }

    public mutating func integer(_ value: Int64) {
        separate()
        appendASCII(String(value))
    }

    /// Finite numbers as JSON numbers; NaN and infinities, which JSON cannot hold, as strings.
    public mutating func number(_ value: Double) {
        separate()
        if value.isFinite {
            appendASCII(value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value))
        } else {
            appendString(value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity")
        }
    }

    public mutating func null() {
        separate()
        appendASCII("null")
    }

    /// Text that is already valid JSON (a nested document).
    public mutating func raw(_ json: JSONText) {
        separate()
        bytes.append(contentsOf: json.text.utf8)
    }

    private mutating func separate() {
        if afterValue { bytes.append(UInt8(ascii: ",")) }
        afterValue = true
    }

    private mutating func appendASCII(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A string literal, copying runs that need no escape in one piece. NUL becomes U+FFFD: PostgreSQL
    /// cannot store it, and the store refuses `\u0000`. Bytes of multi-byte characters are all ≥ 0x80,
    /// so they are copied as they are.
    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscaped(byte)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): appendASCII("\\\"")
        case UInt8(ascii: "\\"): appendASCII("\\\\")
        case UInt8(ascii: "\n"): appendASCII("\\n")
        case UInt8(ascii: "\r"): appendASCII("\\r")
        case UInt8(ascii: "\t"): appendASCII("\\t")
        case 0: bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
        }
    }
}
