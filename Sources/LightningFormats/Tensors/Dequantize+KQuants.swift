/// The 256-element super-block quants (`ggml-quants.c` `dequantize_row_q*_K`, `gguf.quants.Q*_K`).
/// The index arithmetic follows numpy's reshapes in `gguf.quants`, which the comments spell out.
extension Dequantize {
    /// `scales: [UInt8; 16], qs: [UInt8; 64], d: f16, dmin: f16`. Element `e = (h*4 + s)*32 + l` is bits
    /// `2s..2s+1` of `qs[h*32 + l]`; group `e/16` has scale `d * (sc & 15)` and min `dmin * (sc >> 4)`.
    static func q2_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 84
            let out = dst + b * 256
            let d = block.loadHalf(at: 80)
            let dmin = block.loadHalf(at: 82)
            for group in 0..<16 {
                let sc = block.byte(at: group)
                let dl = d * Float(sc & 0x0f)
                let ml = dmin * Float(sc >> 4)
                let h = group / 8, s = (group / 2) % 4, l0 = (group % 2) * 16
                let qs = block + 16 + h * 32 + l0
                let o = out + group * 16
                for l in 0..<16 {
                    let q = (qs.byte(at: l) >> UInt8(2 * s)) & 3
                    o[l] = dl * Float(q) - ml
                }
            }
        }
    }

    /// `hmask: [UInt8; 32], qs: [UInt8; 64], scales: [UInt8; 12], d: f16`. Element `e = (h*4 + s)*32 + l`
    /// takes bits `2s..2s+1` of `qs[h*32 + l]` and subtracts 4 unless bit `e/32` of `hmask[l]` is set; the
    /// 16 six-bit scales are packed as in `gguf.quants.Q3_K` and offset by 32.
    static func q3_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 110
            let out = dst + b * 256
            let d = block.loadHalf(at: 108)
            let packed = block + 96
            for group in 0..<16 {
                let low = (packed.byte(at: group % 8) >> UInt8(4 * (group / 8))) & 0x0f
                let high = (packed.byte(at: 8 + group % 4) >> UInt8(2 * (group / 4))) & 0x03
                let scale = Int32(Int8(bitPattern: low | high << 4)) - 32
                let dl = d * Float(scale)
                let h = group / 8, s = (group / 2) % 4, l0 = (group % 2) * 16
                let bit = UInt8(group / 2)
                let qs = block + 32 + h * 32 + l0
                let hmask = block + l0
                let o = out + group * 16
                for l in 0..<16 {
                    let ql = Int32((qs.byte(at: l) >> UInt8(2 * s)) & 3)
                    let qh = Int32(((hmask.byte(at: l) >> bit) & 1) ^ 1)
                    o[l] = dl * Float(ql - (qh << 2))
                }
            }
        }
    }

    /// The eight 6-bit scales and mins of Q4_K and Q5_K (`get_scale_min_k4`).
    @inline(__always)
    private static func scaleMin(_ scales: UnsafeRawPointer, _ j: Int) -> (scale: UInt8, min: UInt8) {
        if j < 4 {
            return (scales.byte(at: j) & 0x3f, scales.byte(at: j + 4) & 0x3f)
        }
        let packed = scales.byte(at: j + 4)
        let scale = (packed & 0x0f) | ((scales.byte(at: j - 4) >> 2) & 0x30)
        let min = (packed >> 4) | ((scales.byte(at: j) >> 2) & 0x30)
        return (scale, min)
    }

    /// `d: f16, dmin: f16, scales: [UInt8; 12], qs: [UInt8; 128]`. Group `g = c*2 + n` (32 elements) is
    /// nibble `n` of `qs[c*32 ..< c*32 + 32]`; `x = (d * sc) * q - dmin * m`.
    static func q4_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 144
            let out = dst + b * 256
            let d = block.loadHalf(at: 0)
            let dmin = block.loadHalf(at: 2)
            for group in 0..<8 {
                let (sc, m) = scaleMin(block + 4, group)
                let scale = d * Float(sc)
                let offset = dmin * Float(m)
                let qs = block + 16 + (group / 2) * 32
                let shift = UInt8(4 * (group % 2))
                let o = out + group * 32
                for l in 0..<32 {
                    let q = (qs.byte(at: l) >> shift) & 0x0f
                    o[l] = scale * Float(q) - offset
                }
            }
        }
    }

    /// `d: f16, dmin: f16, scales: [UInt8; 12], qh: [UInt8; 32], qs: [UInt8; 128]`. As Q4_K, with bit `g`
    /// of `qh[l]` as the fifth bit of element `l` of group `g`.
    static func q5_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 176
            let out = dst + b * 256
            let d = block.loadHalf(at: 0)
            let dmin = block.loadHalf(at: 2)
            let qh = block + 16
            for group in 0..<8 {
                let (sc, m) = scaleMin(block + 4, group)
                let scale = d * Float(sc)
                let offset = dmin * Float(m)
                let qs = block + 48 + (group / 2) * 32
                let shift = UInt8(4 * (group % 2))
                let bit = UInt8(group)
                let o = out + group * 32
                for l in 0..<32 {
                    let q = ((qs.byte(at: l) >> shift) & 0x0f) | ((qh.byte(at: l) >> bit) & 1) << 4
                    o[l] = scale * Float(q) - offset
                }
            }
        }
    }

    /// `ql: [UInt8; 128], qh: [UInt8; 64], scales: [Int8; 16], d: f16`. Element
    /// `e = h*128 + n*64 + k` is nibble `n` of `ql[h*64 + k]`, with bits `2s..2s+1` of `qh[h*32 + l]` on
    /// top where `e = h*128 + s*32 + l`; `x = (d * scale[e/16]) * (q - 32)`.
    static func q6_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 210
            let out = dst + b * 256
            let d = block.loadHalf(at: 208)
            for group in 0..<16 {
                let scale = d * Float(Int8(bitPattern: block.byte(at: 192 + group)))
                let e0 = group * 16
                let h = e0 / 128, within = e0 % 128
                let n = within / 64, k0 = within % 64
                let s = within / 32, l0 = within % 32
                let ql = block + h * 64 + k0
                let qh = block + 128 + h * 32 + l0
                let lowShift = UInt8(4 * n), highShift = UInt8(2 * s)
                let o = out + e0
                for l in 0..<16 {
                    let low = (ql.byte(at: l) >> lowShift) & 0x0f
                    let high = (qh.byte(at: l) >> highShift) & 0x03
                    let q = Int32(Int8(bitPattern: low | high << 4)) - 32
                    o[l] = scale * Float(q)
                }
            }
        }
    }
}
