/// GELU, tanh approximation: `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, computed as the equal
/// `x · σ(2u)` so one exponential per element suffices.
enum GELUKernel {
    static let c: Float = 0.797_884_56  // √(2/π)
    static let k: Float = 0.044_715

    static func forward(_ pool: WorkerPool, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        pool.chunks(count, alignment: 64, work: count * 16) { range, _ in
            forward(input: input + range.lowerBound, output: output + range.lowerBound, count: range.count)
        }
    }

    static func backward(
        _ pool: WorkerPool, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>,
        dInput: UnsafeMutablePointer<Float>, count: Int
    ) {
        pool.chunks(count, alignment: 64, work: count * 16) { range, _ in
            let o = range.lowerBound
            backward(dOutput: dOutput + o, input: input + o, dInput: dInput + o, count: range.count)
        }
    }

    static func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let x = VectorMath.load(input, i)
            let u = c * (x + k * x * x * x)
            VectorMath.store(x / (1 + VectorMath.exp(-2 * u)), output, i)
            i += 8
        }
        while i < count {
            let x = input[i]
            let u = c * (x + k * x * x * x)
            output[i] = x / (1 + VectorMath.exp(-2 * u))
            i += 1
        }
    }

    /// `dInput[i] = dOutput[i] · gelu'(input[i])`; `dInput` may alias `dOutput`.
    static func backward(
        dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        var i = 0
        while i + 8 <= count {
            let x = VectorMath.load(input, i)
            let x2 = x * x
            let s = 1 / (1 + VectorMath.exp(-2 * c * (x + k * x2 * x)))
            let du = c * (1 + 3 * k * x2)
            VectorMath.store(VectorMath.load(dOutput, i) * (s + 2 * x * s * (1 - s) * du), dInput, i)
            i += 8
        }
        while i < count {
            let x = input[i]
            let x2 = x * x
            let s = 1 / (1 + VectorMath.exp(-2 * c * (x + k * x2 * x)))
            let du = c * (1 + 3 * k * x2)
            dInput[i] = dOutput[i] * (s + 2 * x * s * (1 - s) * du)
            i += 1
        }
    }
}
