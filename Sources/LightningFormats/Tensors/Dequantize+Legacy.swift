/// The 32-element block quants (`ggml-quants.c` `dequantize_row_q*_0/1`, `gguf.quants.Q*_0/1`).
/// Element `j < 16` of a block comes from the low nibble of byte `j`, element `j + 16` from its high
/// nibble; Q5 types add bit `j` of the little-endian `qh` word as the fifth bit.
extension Dequantize {
    /// `d: f16, qs: [Int8; 32]`; `x = q * d`.
    static func q8_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 34
            let out = dst + b * 32
            let d = block.loadHalf(at: 0)
            for j in 0..<32 {
                out[j] = Float(Int8(bitPattern: block.byte(at: 2 + j))) * d
            }
        }
    }

    /// `d: f16, qs: [UInt8; 16]`; `x = d * (q - 8)`.
    static func q4_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 18
            let out = dst + b * 32
            let d = block.loadHalf(at: 0)
            for j in 0..<16 {
                let q = block.byte(at: 2 + j)
                out[j] = d * Float(Int32(q & 0x0f) - 8)
                out[j + 16] = d * Float(Int32(q >> 4) - 8)
            }
        }
    }

    /// `d: f16, m: f16, qs: [UInt8; 16]`; `x = d * q + m`.
    static func q4_1(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 20
            let out = dst + b * 32
            let d = block.loadHalf(at: 0)
            let m = block.loadHalf(at: 2)
            for j in 0..<16 {
                let q = block.byte(at: 4 + j)
                out[j] = d * Float(q & 0x0f) + m
                out[j + 16] = d * Float(q >> 4) + m
            }
        }
    }

    /// `d: f16, qh: UInt32, qs: [UInt8; 16]`; `x = d * (q - 16)`.
    static func q5_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 22
            let out = dst + b * 32
            let d = block.loadHalf(at: 0)
            let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            for j in 0..<16 {
                let q = block.byte(at: 6 + j)
                let low = Int32(q & 0x0f) | Int32((qh >> UInt32(j)) & 1) << 4
                let high = Int32(q >> 4) | Int32((qh >> UInt32(j + 16)) & 1) << 4
                out[j] = d * Float(low - 16)
                out[j + 16] = d * Float(high - 16)
            }
        }
    }

    /// `d: f16, m: f16, qh: UInt32, qs: [UInt8; 16]`; `x = d * q + m`.
    static func q5_1(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 24
            let out = dst + b * 32
            let d = block.loadHalf(at: 0)
            let m = block.loadHalf(at: 2)
            let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            for j in 0..<16 {
                let q = block.byte(at: 8 + j)
                let low = UInt32(q & 0x0f) | ((qh >> UInt32(j)) & 1) << 4
                let high = UInt32(q >> 4) | ((qh >> UInt32(j + 16)) & 1) << 4
                out[j] = d * Float(low) + m
                out[j + 16] = d * Float(high) + m
            }
        }
    }
}
