/// The quantized block formats of GGUF files that `PackedMatrix` takes, decoded to one form: each
/// weight is `scale · u + offset` with a small unsigned integer `u`, and one (scale, offset) pair per
/// group of 16 or 32 consecutive weights.
///
/// Every format's reference dequantization (llama.cpp's `dequantize_row_*`, gguf-py's
/// `gguf.quants`) computes each weight with one rounding after exact products, so `fma(u, scale,
/// offset)` in single precision reproduces it bit for bit; scales and offsets here are those exact
/// products (`d · sc`, `−dmin · m`, `−8 · d`, …).
public enum QuantizedFormat: String, Sendable, Hashable, CaseIterable {
    case q4_0 = "Q4_0", q4_1 = "Q4_1", q5_0 = "Q5_0", q5_1 = "Q5_1", q8_0 = "Q8_0"
    case q4_K = "Q4_K", q5_K = "Q5_K", q6_K = "Q6_K"

    /// Weights per block.
    public var blockElements: Int {
        switch self {
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: 32
        case .q4_K, .q5_K, .q6_K: 256
        }
    }

    /// Bytes per block.
    public var blockBytes: Int {
        switch self {
        case .q4_0: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q5_1: 24
        case .q8_0: 34
        case .q4_K: 144
        case .q5_K: 176
        case .q6_K: 210
        }
    }

    /// Bits `u` needs: 4-bit formats pack two weights per byte, the rest one.
    var valueBits: Int {
        switch self {
        case .q4_0, .q4_1, .q4_K: 4
        default: 8
        }
    }

    /// The integer the symmetric formats center their values on (`offset = −bias · scale`), 0 for
    /// formats with a minimum: products use `u − bias`, small signed integers.
    var bias: Int {
        switch self {
        case .q4_0: 8
        case .q5_0: 16
        case .q8_0: 128
        case .q6_K: 32
        case .q4_1, .q5_1, .q4_K, .q5_K: 0
        }
    }

    /// log₂ of the weights that share one (scale, offset) pair.
    var groupShift: Int { self == .q6_K ? 4 : 5 }

    /// Decodes one block: writes `blockElements` values to `values` and `blockElements >> groupShift`
    /// pairs to `scales` as (scale, offset).
    func decode(_ block: UnsafeRawPointer, values: UnsafeMutablePointer<UInt8>, scales: UnsafeMutablePointer<Float>) {
        let bytes = block.assumingMemoryBound(to: UInt8.self)
        func half(_ offset: Int) -> Float { Float(Float16(bitPattern: block.loadUnaligned(fromByteOffset: offset, as: UInt16.self))) }
        switch self {
        case .q4_0, .q4_1:
            let d = half(0)
            scales[0] = d
            scales[1] = self == .q4_0 ? -8 * d : half(2)
            let qs = bytes + (self == .q4_0 ? 2 : 4)
            for j in 0..<16 {
                values[j] = qs[j] & 0x0F
                values[j + 16] = qs[j] >> 4
            }
        case .q5_0, .q5_1:
            let d = half(0)
            scales[0] = d
            scales[1] = self == .q5_0 ? -16 * d : half(2)
            let high = block.loadUnaligned(fromByteOffset: self == .q5_0 ? 2 : 4, as: UInt32.self)
            let qs = bytes + (self == .q5_0 ? 6 : 8)
            for j in 0..<16 {
                values[j] = (qs[j] & 0x0F) | UInt8(truncatingIfNeeded: ((high >> UInt32(j)) & 1) << 4)
                values[j + 16] = (qs[j] >> 4) | UInt8(truncatingIfNeeded: ((high >> UInt32(j + 16)) & 1) << 4)
            }
        case .q8_0:
            let d = half(0)
            scales[0] = d
            scales[1] = -128 * d
            for j in 0..<32 { values[j] = UInt8(truncatingIfNeeded: Int(Int8(bitPattern: bytes[2 + j])) + 128) }
        case .q4_K, .q5_K:
            let d = half(0), dmin = half(2)
            let packed = bytes + 4
            let high = bytes + 16  // Q5_K only: the fifth bits, 32 bytes
            let qs = bytes + (self == .q4_K ? 16 : 48)
            for j in 0..<8 {
                let (sc, m) = Self.scaleAndMin(j, packed)
                scales[2 * j] = d * Float(sc)
                scales[2 * j + 1] = -(dmin * Float(m))
            }
            for chunk in 0..<4 {
                let q = qs + 32 * chunk
                let low = values + 64 * chunk, upper = low + 32
                for l in 0..<32 {
                    var a = q[l] & 0x0F, b = q[l] >> 4
                    if self == .q5_K {
                        if high[l] & (1 << (2 * chunk)) != 0 { a += 16 }
                        if high[l] & (2 << (2 * chunk)) != 0 { b += 16 }
                    }
                    low[l] = a
                    upper[l] = b
                }
            }
        case .q6_K:
            let ql = bytes, qh = bytes + 128
            let sc = UnsafeRawPointer(bytes + 192).assumingMemoryBound(to: Int8.self)
            let d = half(208)
            for i in 0..<16 {
                let s = d * Float(sc[i])
                scales[2 * i] = s
                scales[2 * i + 1] = -32 * s
            }
            for half in 0..<2 {
                let l0 = ql + 64 * half, h0 = qh + 32 * half, out = values + 128 * half
                for l in 0..<32 {
                    out[l] = (l0[l] & 0x0F) | ((h0[l] & 3) << 4)
                    out[l + 32] = (l0[l + 32] & 0x0F) | (((h0[l] >> 2) & 3) << 4)
                    out[l + 64] = (l0[l] >> 4) | (((h0[l] >> 4) & 3) << 4)
                    out[l + 96] = (l0[l + 32] >> 4) | (((h0[l] >> 6) & 3) << 4)
                }
            }
        }
    }

    /// The 6-bit scale and minimum of sub-block `j` of a Q4_K/Q5_K super-block (12 packed bytes).
    private static func scaleAndMin(_ j: Int, _ q: UnsafePointer<UInt8>) -> (UInt8, UInt8) {
        if j < 4 { return (q[j] & 63, q[j + 4] & 63) }
        return ((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }
}
