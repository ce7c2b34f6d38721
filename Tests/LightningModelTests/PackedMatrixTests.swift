import Foundation
import LightningFormats
@testable import LightningModel
import Testing

/// Quantized matrices against the formats' reference dequantization (bit-exact with `gguf.quants`):
/// decoded rows equal it exactly, and the integer kernels' products equal float products of its
/// weights within the 16-bit quantization of the inputs.
@Suite struct PackedMatrixTests {
    static let formats: [QuantizedFormat] = QuantizedFormat.allCases

    /// Random blocks of `format` with finite half-precision scales (random bytes elsewhere).
    static func blocks(_ format: QuantizedFormat, rows: Int, columns: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        let count = rows * columns / format.blockElements
        var bytes = (0..<(count * format.blockBytes)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        // Every half at the offsets the formats keep their d (and dmin/m) gets a value near 0.01.
        let halves: [Int] = switch format {
        case .q4_0, .q5_0, .q8_0: [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: [0, 2]
        case .q6_K: [208]
        }
        for b in 0..<count {
            for h in halves {
                let value = Float16(Float(rng.next() % 1000 + 1) / 100_000)
                bytes[b * format.blockBytes + h] = UInt8(value.bitPattern & 0xFF)
                bytes[b * format.blockBytes + h + 1] = UInt8(value.bitPattern >> 8)
            }
        }
        return bytes
    }

    static func reference(_ format: QuantizedFormat, _ bytes: [UInt8], count: Int) throws -> [Float] {
        let type = try #require(TensorType.allCases.first { $0.name == format.rawValue })
        return try bytes.withUnsafeBytes { try type.dequantize($0, count: count) }
    }

    /// Random blocks packed, and their reference dequantization.
    static func packed(_ format: QuantizedFormat, rows: Int, columns: Int, seed: UInt64) throws -> (PackedMatrix, [Float]) {
        let bytes = blocks(format, rows: rows, columns: columns, seed: seed)
        let matrix = bytes.withUnsafeBytes { PackedMatrix(rows: rows, columns: columns, format: format, blocks: $0.baseAddress!) }
        return (matrix, try reference(format, bytes, count: rows * columns))
    }

    @Test("decoded rows equal the reference dequantization bit for bit", arguments: formats)
    func decodesExactly(_ format: QuantizedFormat) throws {
        let rows = 5, columns = 512
        let (matrix, expected) = try Self.packed(format, rows: rows, columns: columns, seed: 3)
        var row = [Float](repeating: .nan, count: columns)
        for r in 0..<rows {
            row.withUnsafeMutableBufferPointer { matrix.dequantize(row: r, into: $0.baseAddress!) }
            #expect(row.map(\.bitPattern) == expected[(r * columns)..<((r + 1) * columns)].map(\.bitPattern), "\(format), row \(r)")
        }
    }

    @Test("integer products of 1 to gemmRows - 1 input rows equal float products within the inputs' 16-bit quantization", arguments: formats)
    func multipliesInIntegers(_ format: QuantizedFormat) throws {
        let rows = 40, columns = 768
        let (matrix, weights) = try Self.packed(format, rows: rows, columns: columns, seed: 11)
        let scratch = TileScratch(workers: 1, columns: columns)
        var rng = SeededGenerator(seed: 5)
        for count in [1, 2, 3, 4, 5, 7, 16, PackedMatrix.gemmRows - 1] {
            // Inputs with an outlier column, as activations have.
            var x = (0..<(count * columns)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 }
            for r in 0..<count { x[r * columns + 17] = 40 }
            var y = [Float](repeating: 1, count: count * rows)
            x.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    let inputs = scratch.quantize(x.baseAddress!, ldx: columns, count: count, columns: columns)
                    matrix.multiply(rows: 0..<rows, input: x.baseAddress!, ldx: columns, count: count, output: y.baseAddress!, ldy: rows,
                                    accumulate: true, tile: scratch.tile(worker: 0), inputs: inputs)
                }
            }
            for r in 0..<count {
                let largest = (0..<(columns / 32)).map { g in Double(x[(r * columns + g * 32)..<(r * columns + g * 32 + 32)].map(abs).max()!) }
                for o in 0..<rows {
                    var exact = 1.0, bound = 0.0
                    for j in 0..<columns {
                        let w = Double(weights[o * columns + j]), v = Double(x[r * columns + j])
                        exact += w * v
                        // Each input is off by at most 2^-16 of its 32-column group's largest magnitude.
                        bound += abs(w) * largest[j / 32] / 65_534
                    }
                    let error = abs(Double(y[r * rows + o]) - exact)
                    #expect(error <= bound + 1e-5 * abs(exact) + 1e-6, "\(format), \(count) rows, row \(o): \(error)")
                }
            }
        }
    }
}
