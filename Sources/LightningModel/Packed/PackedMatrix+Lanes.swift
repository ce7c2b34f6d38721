// The kernels spell their loops out for each encoding: Swift does not inline a loop body passed as a
// closure here (measured: 7× slower), so the shared parts are the small lane decoders below.

extension PackedMatrix {
    /// Weights `16k…16k+15` of a 128-weight group of 4-bit values: nibble `k` of each word, as floats.
    @inline(__always)
    static func nibbles(_ words: SIMD16<UInt32>, _ k: Int, _ pair: UnsafePointer<Float>) -> SIMD16<Float> {
        let n = (words &>> UInt32(4 * k)) & SIMD16<UInt32>(repeating: 0x0F)
        // n | 2²³'s bit pattern is the float 2²³ + n exactly: an integer-to-float conversion in two
        // vector operations (Swift's SIMD conversion initializers are not inlined).
        let u = unsafeBitCast(n | SIMD16<UInt32>(repeating: 0x4B00_0000), to: SIMD16<Float>.self) - 8_388_608
        return SIMD16<Float>(repeating: pair[1]).addingProduct(u, pair[0])
    }

    /// Weights `8k…8k+7` of a 4-bit row's last 64 weights.
    @inline(__always)
    static func nibbleTail(_ words: SIMD8<UInt32>, _ k: Int, _ pair: UnsafePointer<Float>) -> SIMD8<Float> {
        let n = (words &>> UInt32(4 * k)) & SIMD8<UInt32>(repeating: 0x0F)
        let u = unsafeBitCast(n | SIMD8<UInt32>(repeating: 0x4B00_0000), to: SIMD8<Float>.self) - 8_388_608
        return SIMD8<Float>(repeating: pair[1]).addingProduct(u, pair[0])
    }

    /// Weights `16k…16k+15` of a 64-weight group of 8-bit values: byte `k` of each word.
    @inline(__always)
    static func bytes(_ words: SIMD16<UInt32>, _ k: Int, _ pair: UnsafePointer<Float>) -> SIMD16<Float> {
        let n = (words &>> UInt32(8 * k)) & SIMD16<UInt32>(repeating: 0xFF)
        let u = unsafeBitCast(n | SIMD16<UInt32>(repeating: 0x4B00_0000), to: SIMD16<Float>.self) - 8_388_608
        return SIMD16<Float>(repeating: pair[1]).addingProduct(u, pair[0])
    }

    /// Writes the weights of row `row` as floats (`columns` of them).
    func dequantize(row: Int, into output: UnsafeMutablePointer<Float>) {
        if encoding == .dense {
            output.update(from: dense + row * columns, count: columns)
            return
        }
        let bits = UnsafeRawPointer(storage + row * rowBytes), out = UnsafeMutableRawPointer(output)
        let pairs = UnsafePointer(scales.unsafelyUnwrapped + row * groupsPerRow * 2), shift = groupShift
        let columns = columns
        var column = 0
        if encoding == .nibbles {
            while column + 128 <= columns {
                let words = bits.loadUnaligned(fromByteOffset: column / 2, as: SIMD16<UInt32>.self)
                @inline(__always) func step(_ k: Int) {
                    let start = column + 16 * k
                    out.storeBytes(of: Self.nibbles(words, k, pairs + (start &>> shift) * 2), toByteOffset: start * 4,
                                   as: SIMD16<Float>.self)
                }
                step(0); step(1); step(2); step(3); step(4); step(5); step(6); step(7)
                column += 128
            }
            if column < columns {
                let words = bits.loadUnaligned(fromByteOffset: column / 2, as: SIMD8<UInt32>.self)
                for k in 0..<8 {
                    let start = column + 8 * k
                    out.storeBytes(of: Self.nibbleTail(words, k, pairs + (start &>> shift) * 2), toByteOffset: start * 4,
                                   as: SIMD8<Float>.self)
                }
            }
        } else {
            while column < columns {
                let words = bits.loadUnaligned(fromByteOffset: column, as: SIMD16<UInt32>.self)
                for k in 0..<4 {
                    let start = column + 16 * k
                    out.storeBytes(of: Self.bytes(words, k, pairs + (start &>> shift) * 2), toByteOffset: start * 4,
                                   as: SIMD16<Float>.self)
                }
                column += 64
            }
        }
    }

    /// `Σ w·x` over quantized row `row` for one input row.
    @inline(__always)
    func dot(row: Int, _ x: UnsafeRawPointer) -> Float {
        let bits = UnsafeRawPointer(storage + row * rowBytes)
        let pairs = UnsafePointer(scales.unsafelyUnwrapped + row * groupsPerRow * 2), shift = groupShift
        let columns = columns
        var a = SIMD16<Float>(), b = SIMD16<Float>(), c = SIMD16<Float>(), d = SIMD16<Float>(), t = SIMD8<Float>()
        var column = 0
        if encoding == .nibbles {
            while column + 128 <= columns {
                let words = bits.loadUnaligned(fromByteOffset: column / 2, as: SIMD16<UInt32>.self)
                // Spelled out so that every shift is a constant (a variable vector shift costs two µops).
                @inline(__always) func step(_ k: Int, _ acc: inout SIMD16<Float>) {
                    let start = column + 16 * k
                    acc = acc.addingProduct(Self.nibbles(words, k, pairs + (start &>> shift) * 2),
                                            x.loadUnaligned(fromByteOffset: start * 4, as: SIMD16<Float>.self))
                }
                step(0, &a); step(1, &b); step(2, &c); step(3, &d)
                step(4, &a); step(5, &b); step(6, &c); step(7, &d)
                column += 128
            }
            if column < columns {
                let words = bits.loadUnaligned(fromByteOffset: column / 2, as: SIMD8<UInt32>.self)
                for k in 0..<8 {
                    let start = column + 8 * k
                    t = t.addingProduct(Self.nibbleTail(words, k, pairs + (start &>> shift) * 2),
                                        x.loadUnaligned(fromByteOffset: start * 4, as: SIMD8<Float>.self))
                }
            }
        } else {
            while column < columns {
                let words = bits.loadUnaligned(fromByteOffset: column, as: SIMD16<UInt32>.self)
                for k in stride(from: 0, to: 4, by: 2) {
                    let s0 = column + 16 * k, s1 = s0 + 16
                    a = a.addingProduct(Self.bytes(words, k, pairs + (s0 &>> shift) * 2),
                                        x.loadUnaligned(fromByteOffset: s0 * 4, as: SIMD16<Float>.self))
                    b = b.addingProduct(Self.bytes(words, k + 1, pairs + (s1 &>> shift) * 2),
                                        x.loadUnaligned(fromByteOffset: s1 * 4, as: SIMD16<Float>.self))
                }
                column += 64
            }
        }
        return Self.sum((a + b) + (c + d), t)
    }

    /// `Σ w·x` over quantized row `row` for four input rows `ld` floats apart (each weight vector is
    /// decoded once for all four).
    @inline(__always)
    func dot4(row: Int, _ x: UnsafeRawPointer, _ ld: Int) -> SIMD4<Float> {
        let bits = UnsafeRawPointer(storage + row * rowBytes)
        let pairs = UnsafePointer(scales.unsafelyUnwrapped + row * groupsPerRow * 2), shift = groupShift
        let columns = columns
        let x0 = x, x1 = x + ld * 4, x2 = x + ld * 8, x3 = x + ld * 12
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        var t0 = SIMD8<Float>(), t1 = SIMD8<Float>(), t2 = SIMD8<Float>(), t3 = SIMD8<Float>()
        var column = 0
        if encoding == .nibbles {
            while column + 128 <= columns {
                let words = bits.loadUnaligned(fromByteOffset: column / 2, as: SIMD16<UInt32>.self)
                @inline(__always) func step(_ k: Int) {
                    let start = column + 16 * k, offset = start * 4
                    let w = Self.nibbles(words, k, pairs + (start &>> shift) * 2)
                    a0 = a0.addingProduct(w, x0.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self))
                    a1 = a1.addingProduct(w, x1.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self))
                    a2 = a2.addingProduct(w, x2.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self))
                    a3 = a3.addingProduct(w, x3.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self))
                }
                step(0); step(1); step(2); step(3); step(4); step(5); step(6); step(7)
                column += 128
            }
            if column < columns {
                let words = bits.loadUnaligned(fromByteOffset: column / 2, as: SIMD8<UInt32>.self)
                for k in 0..<8 {
                    let start = column + 8 * k, offset = start * 4
                    let w = Self.nibbleTail(words, k, pairs + (start &>> shift) * 2)
                    t0 = t0.addingProduct(w, x0.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self))
                    t1 = t1.addingProduct(w, x1.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self))
                    t2 = t2.addingProduct(w, x2.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self))
                    t3 = t3.addingProduct(w, x3.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self))
                }
            }
        } else {
            while column < columns {
                let words = bits.loadUnaligned(fromByteOffset: column, as: SIMD16<UInt32>.self)
                for k in 0..<4 {
                    let start = column + 16 * k, offset = start * 4
                    let w = Self.bytes(words, k, pairs + (start &>> shift) * 2)
                    a0 = a0.addingProduct(w, x0.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self))
                    a1 = a1.addingProduct(w, x1.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self))
                    a2 = a2.addingProduct(w, x2.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self))
                    a3 = a3.addingProduct(w, x3.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self))
                }
                column += 64
            }
        }
        return SIMD4(Self.sum(a0, t0), Self.sum(a1, t1), Self.sum(a2, t2), Self.sum(a3, t3))
    }

    /// A tree sum of the lanes (a plain `.sum()` adds them one after another).
    @inline(__always)
    static func sum(_ a: SIMD16<Float>, _ t: SIMD8<Float>) -> Float {
        let b = a.lowHalf + a.highHalf + t
        let c = b.lowHalf + b.highHalf
        let d = c.lowHalf + c.highHalf
        return d[0] + d[1]
    }
}
