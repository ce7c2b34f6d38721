/// A bounds-checked little-endian reader over untrusted bytes. Every read checks the remaining length
/// first and throws `FormatError(.truncated)` naming the file and the field, so no declared length or
/// count can make it read outside the buffer.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    let file: String
    private(set) var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - offset }

    /// Reads one little-endian integer.
    mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: @autoclosure () -> String) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw FormatError(
                .truncated,
                "\(file): file ends at byte \(bytes.count) inside \(field()) (needs \(size) bytes at offset \(offset))"
            )
        }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    /// Reads a `UInt64` length and checks it is at most `limit` and fits in the remaining bytes when
    /// every item takes at least `minimumItemSize` bytes.
    mutating func readCount(_ field: @autoclosure () -> String, minimumItemSize: Int) throws -> Int {
        let raw = try read(UInt64.self, field())
        let available = UInt64(remaining / max(minimumItemSize, 1))
        guard raw <= available else {
            throw FormatError(
                .invalidHeader,
                "\(file): \(field()) declares \(raw) items at offset \(offset - 8), "
                    + "but only \(remaining) bytes remain in the file"
            )
        }
        return Int(raw)
    }

    /// Reads a GGUF string: a `UInt64` byte length followed by that many bytes of UTF-8.
    mutating func readString(_ field: @autoclosure () -> String) throws -> String {
        let length = try readCount(field(), minimumItemSize: 1)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
        guard let string = String(validating: slice.bindMemoryIfNeeded(), as: UTF8.self) else {
            throw FormatError(.invalidString, "\(file): \(field()) at offset \(offset) is not valid UTF-8")
        }
        offset += length
        return string
    }

    /// Moves forward to the next multiple of `alignment` (a power of two).
    mutating func align(to alignment: Int) {
        let padded = (offset + alignment - 1) & ~(alignment - 1)
        offset = padded
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes seen as `UInt8`s. Reading raw memory as `UInt8` is always allowed, whatever it is bound to.
    fileprivate func bindMemoryIfNeeded() -> UnsafeBufferPointer<UInt8> {
        guard let base = baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count)
    }
}
