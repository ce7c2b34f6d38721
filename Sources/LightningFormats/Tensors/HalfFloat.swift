/// IEEE half (`F16`) and bfloat16 (`BF16`) to `Float`, bit for bit what numpy's `astype(np.float32)` gives
/// (NaN payloads included), without relying on F16C hardware.
enum HalfFloat {
    /// `Float` bit pattern of the half with bits `h`.
    @inline(__always)
    static func floatBits(fromHalf h: UInt16) -> UInt32 {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = h & 0x7c00
        let mantissa = UInt32(h & 0x03ff)
        if exponent == 0x7c00 { return sign | 0x7f80_0000 | (mantissa << 13) }
        if exponent != 0 { return sign | ((UInt32(h & 0x7fff) + 0x1_c000) << 13) }
        // Zero or subnormal: mantissa * 2^-24 is exact in Float.
        return sign | (Float(mantissa) * 0x1p-24).bitPattern
    }

    /// The half with bits `h` as a `Float`.
    @inline(__always)
    static func float(fromHalf h: UInt16) -> Float {
        Float(bitPattern: floatBits(fromHalf: h))
    }

    /// All 65,536 halves as `Float`s, for converting whole `F16` tensors with one load per element.
    /// Built once, on first use.
    static let table: [Float] = (0..<(1 << 16)).map { float(fromHalf: UInt16($0)) }

    /// The bfloat16 with bits `h` as a `Float`: its bits are the upper half of the `Float`'s.
    @inline(__always)
    static func float(fromBFloat h: UInt16) -> Float {
        Float(bitPattern: UInt32(h) << 16)
    }
}

extension UnsafeRawPointer {
    /// The little-endian half at `offset` as a `Float`.
    @inline(__always)
    func loadHalf(at offset: Int) -> Float {
        HalfFloat.float(fromHalf: UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    /// The byte at `offset`.
    @inline(__always)
    func byte(at offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }
}
