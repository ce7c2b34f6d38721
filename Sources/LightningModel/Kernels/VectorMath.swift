/// Branch-free scalar math that the compiler vectorizes inside simple loops, and SIMD reductions
/// (Swift does not reassociate float sums, so a plain loop would not vectorize).
enum VectorMath {
    /// `e^x` to about 2 ulp for x in [-87, 88] (clamped outside): Cody–Waite reduction by ln 2 and a
    /// degree-7 polynomial. Round-to-nearest uses the 1.5·2^23 trick so the loop vectorizes on SSE2.
    @inline(__always)
    static func exp(_ value: Float) -> Float {
        let x = Swift.min(Swift.max(value, -87.3), 88.0)
        let n = (x * 1.442_695_04 + 12_582_912.0) - 12_582_912.0
        let r = (x - n * 0.693_359_375) - n * -2.121_944_4e-4
        var p: Float = 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let scale = Float(bitPattern: UInt32(bitPattern: (Int32(n) &+ 127) &<< 23))
        return p * scale
    }

    /// Eight lanes of `exp`, same method as the scalar version (identical results lane by lane).
    @inline(__always)
    static func exp(_ value: SIMD8<Float>) -> SIMD8<Float> {
        var x = value
        x.replace(with: -87.3, where: x .< -87.3)
        x.replace(with: 88.0, where: x .> 88.0)
        // shifted = 1.5·2^23 + n exactly, so its low mantissa bits are n in two's complement.
        let shifted = x * 1.442_695_04 + 12_582_912.0
        let n = shifted - 12_582_912.0
        let r = (x - n * 0.693_359_375) - n * -2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- 0x4B40_0000
        return p * unsafeBitCast((integer &+ 127) &<< 23, to: SIMD8<Float>.self)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// Sum of `n` floats.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 16 <= n {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += raw.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var total = lanes(acc0 + acc1)
        while i < n { total += p[i]; i += 1 }
        return total
    }

    /// Dot product of two `n`-float vectors.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i + 16 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var total = lanes(acc0 + acc1)
        while i < n { total += a[i] * b[i]; i += 1 }
        return total
    }

    /// Sum of squared deviations from `center`.
    @inline(__always)
    static func squaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, center: Float) -> Float {
        var acc = SIMD8<Float>()
        let c = SIMD8<Float>(repeating: center)
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 8 <= n {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - c
            acc += d * d
            i += 8
        }
        var total = lanes(acc)
        while i < n { total += (p[i] - center) * (p[i] - center); i += 1 }
        return total
    }

    /// Largest of `n` floats (n > 0).
    @inline(__always)
    static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: -.greatestFiniteMagnitude)
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc.replace(with: v, where: v .> acc)
            i += 8
        }
        var best = acc[0]
        for lane in 1..<8 where acc[lane] > best { best = acc[lane] }
        while i < n { if p[i] > best { best = p[i] }; i += 1 }
        return best
    }

    @inline(__always)
    static func lanes(_ v: SIMD8<Float>) -> Float {
        ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]))
    }

    /// Sum of squares in double precision (for gradient norms over millions of values).
    static func sumOfSquaresDouble(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
        var total = 0.0
        var i = 0
        while i < n {
            let end = Swift.min(n, i + 4096)
            var acc = SIMD8<Float>()
            let raw = UnsafeRawPointer(p + i)
            var j = 0
            while i + j + 8 <= end {
                let v = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
                acc += v * v
                j += 8
            }
            var part = Double(lanes(acc))
            while i + j < end { part += Double(p[i + j] * p[i + j]); j += 1 }
            total += part
            i = end
        }
        return total
    }
}
