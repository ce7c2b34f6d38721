import Foundation
@testable import LightningModel
import Testing

/// The Llama layers' backward kernels against central finite differences of a double-precision
/// forward (step 1e-5, so the reference is exact to ~1e-9): for a loss `L = Σ dy · layer(x)`, each
/// kernel's `∂L/∂input` (and `∂L/∂gain`) must match within 1e-4 of the gradient's largest value.
@Suite struct LlamaBackwardKernelTests {
    static func random(_ count: Int, _ rng: inout SeededGenerator, scale: Double = 1) -> [Float] {
        (0..<count).map { _ in Float((Double(rng.next() % 20_001) / 10_000 - 1) * scale) }
    }

    /// Central differences of `loss` at `x`, one coordinate at a time.
    static func numericGradient(_ x: [Float], _ loss: ([Double]) -> Double) -> [Double] {
        let h = 1e-5
        var point = x.map(Double.init)
        return (0..<x.count).map { i in
            let saved = point[i]
            point[i] = saved + h
            let up = loss(point)
            point[i] = saved - h
            let down = loss(point)
            point[i] = saved
            return (up - down) / (2 * h)
        }
    }

    static func expectClose(_ actual: [Float], _ expected: [Double], _ label: String) {
        let largest = expected.map(abs).max() ?? 0
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            #expect(abs(Double(a) - e) <= 1e-4 * max(largest, 1), "\(label)[\(i)]: \(a) vs \(e)")
        }
    }

    @Test func rmsNorm() {
        var rng = SeededGenerator(seed: 1)
        let rows = 3, width = 43, epsilon: Float = 1e-5
        let x = Self.random(rows * width, &rng, scale: 2), gain = Self.random(width, &rng), dy = Self.random(rows * width, &rng)
        let start = Self.random(rows * width, &rng)  // dInput accumulates onto what is there
        func loss(_ x: [Double], _ g: [Double]) -> Double {
            var total = 0.0
            for r in 0..<rows {
                let row = x[(r * width)..<((r + 1) * width)]
                let scale = 1 / (row.reduce(0) { $0 + $1 * $1 } / Double(width) + Double(epsilon)).squareRoot()
                for i in 0..<width { total += Double(dy[r * width + i]) * x[r * width + i] * scale * g[i] }
            }
            return total
        }
        let pool = WorkerPool(workers: 2)
        var dx = start, dGain = [Float](repeating: 0.5, count: width)
        var scratch = [Float](repeating: .nan, count: RMSNormKernel.scratchCount(width: width, workers: pool.workerCount))
        RMSNormKernel.backward(pool, dOutput: dy, input: x, gain: gain, dInput: &dx, dGain: &dGain, scratch: &scratch,
                               rows: rows, width: width, epsilon: epsilon)
        let gains = gain.map(Double.init), inputs = x.map(Double.init)
        Self.expectClose(zip(dx, start).map { $0 - $1 }, Self.numericGradient(x) { loss($0, gains) }, "dx")
        Self.expectClose(dGain.map { $0 - 0.5 }, Self.numericGradient(gain) { loss(inputs, $0) }, "dGain")
    }

    /// Rows split over workers (9 rows on 4 workers: 3 chunks, the 4th worker idle) give what one chunk
    /// gives; scratch starts as NaN, so a partial sum reduced without being written shows.
    @Test func rmsNormSplitOverWorkers() {
        var rng = SeededGenerator(seed: 5)
        let rows = 9, width = 5_600, epsilon: Float = 1e-6
        let x = Self.random(rows * width, &rng), gain = Self.random(width, &rng), dy = Self.random(rows * width, &rng)
        func run(_ pool: WorkerPool, serial: Bool) -> ([Float], [Float]) {
            var dx = [Float](repeating: 0, count: rows * width), dGain = [Float](repeating: 0, count: width)
            var scratch = [Float](repeating: .nan, count: RMSNormKernel.scratchCount(width: width, workers: pool.workerCount))
            // Work below WorkerPool.serialWork runs as one chunk.
            RMSNormKernel.backward(pool, dOutput: dy, input: x, gain: gain, dInput: &dx, dGain: &dGain, scratch: &scratch,
                                   rows: serial ? 1 : rows, width: width, epsilon: epsilon)
            if serial {
                for r in 1..<rows {
                    var rowDx = [Float](repeating: 0, count: width)
                    Array(x[(r * width)...]).withUnsafeBufferPointer { xs in
                        Array(dy[(r * width)...]).withUnsafeBufferPointer { dys in
                            RMSNormKernel.backward(pool, dOutput: dys.baseAddress!, input: xs.baseAddress!, gain: gain, dInput: &rowDx,
                                                   dGain: &dGain, scratch: &scratch, rows: 1, width: width, epsilon: epsilon)
                        }
                    }
                    dx.replaceSubrange((r * width)..<((r + 1) * width), with: rowDx)
                }
            }
            return (dx, dGain)
        }
        let pool = WorkerPool(workers: 4)
        #expect(pool.chunkCount(rows, work: rows * width * 8) == 3)
        let (splitDx, splitGain) = run(pool, serial: false)
        let (rowDx, rowGain) = run(WorkerPool(workers: 1), serial: true)
        #expect(splitDx == rowDx)
        for i in 0..<width { #expect(abs(splitGain[i] - rowGain[i]) <= 1e-5 * max(1, abs(rowGain[i])), "dGain[\(i)]") }
    }

    @Test func swiGLU() {
        var rng = SeededGenerator(seed: 2)
        let rows = 2, width = 21, ld = 2 * width + 3
        let input = Self.random(rows * ld, &rng, scale: 4), dh = Self.random(rows * width, &rng)
        func loss(_ v: [Double]) -> Double {
            var total = 0.0
            for r in 0..<rows {
                for i in 0..<width {
                    let g = v[r * ld + i], u = v[r * ld + width + i]
                    total += Double(dh[r * width + i]) * g / (1 + exp(-g)) * u
                }
            }
            return total
        }
        var dInput = [Float](repeating: 0, count: rows * ld)
        SwiGLUKernel.backward(WorkerPool(workers: 2), dOutput: dh, ldOutput: width, input: input, ldInput: ld,
                              dInput: &dInput, rows: rows, width: width)
        let expected = Self.numericGradient(input, loss)
        for r in 0..<rows {
            let used = (r * ld)..<(r * ld + 2 * width)  // the padding columns are not written
            Self.expectClose(Array(dInput[used]), Array(expected[used]), "row \(r)")
        }
    }

    @Test(arguments: [RotaryConfig.Pairing.halfSplit, .adjacent])
    func rotaryEmbedding(_ pairing: RotaryConfig.Pairing) {
        var rng = SeededGenerator(seed: 3)
        let heads = 3, headSize = 8
        let rotary = RotaryEmbedding(config: RotaryConfig(theta: 10_000, dimensions: headSize, pairing: pairing), factors: nil)
        var cos = [Float](repeating: 0, count: headSize / 2), sin = cos
        let position: [Int32] = [37]
        rotary.angles(positions: position, count: 1, cos: &cos, sin: &sin)
        let x = Self.random(heads * headSize, &rng), dy = Self.random(heads * headSize, &rng)
        func loss(_ v: [Double]) -> Double {
            var total = 0.0
            for h in 0..<heads {
                for i in 0..<(headSize / 2) {
                    let (p, q) = pairing == .halfSplit ? (i, i + headSize / 2) : (2 * i, 2 * i + 1)
                    let a = v[h * headSize + p], b = v[h * headSize + q], c = Double(cos[i]), s = Double(sin[i])
                    total += Double(dy[h * headSize + p]) * (a * c - b * s) + Double(dy[h * headSize + q]) * (b * c + a * s)
                }
            }
            return total
        }
        var dx = dy
        rotary.rotate(&dx, heads: heads, headSize: headSize, cos: cos, sin: sin, inverse: true)
        Self.expectClose(dx, Self.numericGradient(x, loss), "\(pairing)")
        // The same against the forward the runner uses: ⟨rotate(x), dy⟩ = ⟨x, rotate(dy, inverse)⟩.
        var rotated = x
        rotary.rotate(&rotated, heads: heads, headSize: headSize, cos: cos, sin: sin)
        let forward = zip(rotated, dy).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let adjoint = zip(x, dx).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(forward - adjoint) <= 1e-5, "\(pairing): \(forward) vs \(adjoint)")
    }

    @Test("grouped-query attention: outputs and the qkv gradient", arguments: [(4, 2), (3, 3)])
    func groupedAttention(_ heads: Int, _ kvHeads: Int) {
        var rng = SeededGenerator(seed: 4)
        let sequences = 2, t = 5, hs = 4, ldq = (heads + 2 * kvHeads) * hs, ldo = heads * hs, group = heads / kvHeads
        let qkv = Self.random(sequences * t * ldq, &rng, scale: 2), dy = Self.random(sequences * t * ldo, &rng)
        func outputs(_ v: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: sequences * t * ldo)
            for s in 0..<sequences {
                for h in 0..<heads {
                    let kv = h / group
                    func at(_ i: Int, _ column: Int) -> Double { v[(s * t + i) * ldq + column] }
                    for i in 0..<t {
                        let scores = (0...i).map { j in (0..<hs).reduce(0.0) { $0 + at(i, h * hs + $1) * at(j, (heads + kv) * hs + $1) } / Double(hs).squareRoot() }
                        let top = scores.max()!, weights = scores.map { exp($0 - top) }, total = weights.reduce(0, +)
                        for d in 0..<hs {
                            out[(s * t + i) * ldo + h * hs + d] = (0...i).reduce(0.0) { $0 + weights[$1] / total * at($1, (heads + kvHeads + kv) * hs + d) }
                        }
                    }
                }
            }
            return out
        }
        let pool = WorkerPool(workers: 2)
        var output = [Float](repeating: .nan, count: sequences * t * ldo)
        var probs = [Float](repeating: 0, count: sequences * heads * t * t)
        AttentionKernel.forward(pool, qkv: qkv, output: &output, probs: &probs, sequences: sequences, time: t,
                                heads: heads, kvHeads: kvHeads, headSize: hs)
        Self.expectClose(output, outputs(qkv.map(Double.init)), "output")
        var dQKV = [Float](repeating: .nan, count: qkv.count)
        var scratch = [Float](repeating: 0, count: 2 * t * t)
        AttentionKernel.backward(pool, dOutput: dy, qkv: qkv, probs: probs, dQKV: &dQKV, scratch: &scratch,
                                 sequences: sequences, time: t, heads: heads, kvHeads: kvHeads, headSize: hs)
        let expected = Self.numericGradient(qkv) { v in zip(outputs(v), dy).reduce(0) { $0 + $1.0 * Double($1.1) } }
        Self.expectClose(dQKV, expected, "dQKV \(heads)/\(kvHeads)")
    }
}
