import CQuantKernels
import Foundation

/// A weight matrix `W[rows, columns]` (rows = output features) for `Y = X · Wᵀ`, kept the way it is
/// fastest to multiply on a CPU: dense single precision, or quantized weights kept as small integers.
///
/// Each quantized weight is `scale · v + offset` with one (scale, offset) pair per `1 << groupShift`
/// weights of a row and a small integer `v`: 4-bit values (`nibble − bias`) packed two per byte, byte
/// `j` of each 32-weight group holding weights `j` and `j + 16`; or one signed byte per weight. The
/// symmetric formats (Q4_0, Q5_0, Q8_0, Q6_K) have no offsets left once values are centered on their
/// bias. Products with a few input rows run on the integers (`CQuantKernels`); products with many
/// decode tiles of weights to floats for `sgemm`.
///
/// `@unchecked Sendable`: the storage is written only by the initializers, before the matrix can be
/// shared, and only read afterwards.
public final class PackedMatrix: @unchecked Sendable {
    public enum Encoding: Sendable, Hashable {
        case dense
        case nibbles
        case bytes
    }

    public let rows: Int
    public let columns: Int
    public let encoding: Encoding
    /// log₂ of the weights sharing one (scale, offset) pair (quantized encodings).
    let groupShift: Int
    /// What 4-bit values are stored above (`v = nibble − bias`).
    let bias: Int
    /// Dense: `rows × columns` floats. Quantized: the packed values (`rowBytes` per row).
    let storage: UnsafeMutableRawPointer
    /// Quantized: `rows × groupsPerRow` scales, and as many offsets unless all are zero.
    let scales: UnsafeMutablePointer<Float>?
    let offsets: UnsafeMutablePointer<Float>?

    var rowBytes: Int { encoding == .nibbles ? columns / 2 : columns * (encoding == .dense ? 4 : 1) }
    var groupsPerRow: Int { columns >> groupShift }
    var dense: UnsafeMutablePointer<Float> { storage.assumingMemoryBound(to: Float.self) }
    var valueBits: Int32 { encoding == .nibbles ? 4 : 8 }

    /// A dense matrix with the given values (`rows × columns`, row-major).
    public init(rows: Int, columns: Int, values: UnsafeBufferPointer<Float>) {
        precondition(values.count == rows * columns, "PackedMatrix: value count does not match the shape")
        self.rows = rows
        self.columns = columns
        encoding = .dense
        groupShift = 0
        bias = 0
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * columns) * 4, alignment: 64)
        if let base = values.baseAddress { storage.copyMemory(from: base, byteCount: rows * columns * 4) }
        scales = nil
        offsets = nil
    }

    /// Whether `format` rows of `columns` weights can be packed (else load them as dense floats).
    public static func canPack(_ format: QuantizedFormat, columns: Int) -> Bool {
        columns > 0 && columns % Int(QK_INPUT_GROUP) == 0 && columns % format.blockElements == 0
    }

    /// Packs `rows` rows of `format` blocks (`columns / blockElements` blocks per row, rows contiguous).
    /// `rowOrder[i]` names the source row of packed row `i` (to undo a permutation), identity if nil.
    public init(rows: Int, columns: Int, format: QuantizedFormat, blocks: UnsafeRawPointer, rowOrder: [Int]? = nil) {
        precondition(Self.canPack(format, columns: columns), "PackedMatrix: \(format) rows of \(columns) cannot be packed")
        self.rows = rows
        self.columns = columns
        encoding = format.valueBits == 4 ? .nibbles : .bytes
        groupShift = format.groupShift
        bias = format.bias
        let rowBytes = encoding == .nibbles ? columns / 2 : columns
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * rowBytes), alignment: 64)
        let groups = columns >> groupShift
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: max(1, rows * groups))
        let offsets = UnsafeMutablePointer<Float>.allocate(capacity: max(1, rows * groups))
        let blocksPerRow = columns / format.blockElements
        let sourceRowBytes = blocksPerRow * format.blockBytes
        let pairsPerBlock = format.blockElements >> groupShift
        let values = UnsafeMutablePointer<UInt8>.allocate(capacity: columns)
        let pairs = UnsafeMutablePointer<Float>.allocate(capacity: 2 * groups)
        defer {
            values.deallocate()
            pairs.deallocate()
        }
        var anyOffset = false
        for row in 0..<rows {
            let source = blocks + (rowOrder?[row] ?? row) * sourceRowBytes
            for b in 0..<blocksPerRow {
                format.decode(source + b * format.blockBytes, values: values + b * format.blockElements,
                              scales: pairs + b * pairsPerBlock * 2)
            }
            for g in 0..<groups {
                // Centering on the bias is exact: the symmetric formats' offsets are −bias · scale.
                let scale = pairs[2 * g], offset = pairs[2 * g + 1] + Float(bias) * pairs[2 * g]
                scales[row * groups + g] = scale
                offsets[row * groups + g] = offset
                anyOffset = anyOffset || offset != 0
            }
            let out = (storage + row * rowBytes).assumingMemoryBound(to: UInt8.self)
            if encoding == .nibbles {
                for base in stride(from: 0, to: columns, by: 32) {
                    for j in 0..<16 { out[base / 2 + j] = (values[base + j] & 0x0F) | (values[base + j + 16] << 4) }
                }
            } else {
                for j in 0..<columns { out[j] = UInt8(bitPattern: Int8(Int(values[j]) - bias)) }
            }
        }
        self.scales = scales
        if anyOffset {
            self.offsets = offsets
        } else {
            offsets.deallocate()
            self.offsets = nil
        }
    }

    deinit {
        storage.deallocate()
        scales?.deallocate()
        offsets?.deallocate()
    }

    /// Bytes held (for logs and memory accounting).
    public var byteCount: Int { rows * rowBytes + (scales == nil ? 0 : rows * groupsPerRow * (offsets == nil ? 4 : 8)) }

    /// Writes the weights of row `row` as floats (`columns` of them).
    func dequantize(row: Int, into output: UnsafeMutablePointer<Float>) {
        if encoding == .dense {
            output.update(from: dense + row * columns, count: columns)
            return
        }
        qk_dequantize_row(storage.assumingMemoryBound(to: UInt8.self), scales, offsets, columns, valueBits,
                          Int32(groupShift), Int32(bias), row, output)
    }
}
