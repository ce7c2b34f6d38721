import Foundation

/// A weight matrix `W[rows, columns]` (rows = output features) for `Y = X · Wᵀ`, kept the way it is
/// fastest to multiply on a CPU: dense single precision, or quantized weights repacked into lanes.
///
/// Quantized rows keep their integer values `u` packed so that one 16-lane vector of weights comes out
/// of one 64-byte load with shifts and masks (no byte shuffles, which Swift's SIMD types cannot
/// express): in a row of 4-bit values, 32-bit word `l` of each 128-weight group holds, in nibble `k`,
/// weight `16k + l` of the group (a last 64-weight group uses 8 words, weight `8k + l`); in a row of
/// 8-bit values, byte `k` of word `l` of each 64-weight group holds weight `16k + l`. Each weight is
/// `scale · u + offset` with one (scale, offset) pair per `1 << groupShift` weights, so products read
/// 0.5 (or 1) byte per weight plus 8 bytes per group instead of 4.
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
    /// Dense: `rows × columns` floats. Quantized: the packed values (`rowBytes` per row).
    let storage: UnsafeMutableRawPointer
    /// Quantized: `rows × (columns >> groupShift)` (scale, offset) pairs.
    let scales: UnsafeMutablePointer<Float>?

    var rowBytes: Int { encoding == .nibbles ? columns / 2 : columns * (encoding == .dense ? 4 : 1) }
    var groupsPerRow: Int { columns >> groupShift }
    var dense: UnsafeMutablePointer<Float> { storage.assumingMemoryBound(to: Float.self) }

    /// A dense matrix with the given values (`rows × columns`, row-major).
    public init(rows: Int, columns: Int, values: UnsafeBufferPointer<Float>) {
        precondition(values.count == rows * columns, "PackedMatrix: value count does not match the shape")
        self.rows = rows
        self.columns = columns
        encoding = .dense
        groupShift = 0
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * columns) * 4, alignment: 64)
        if let base = values.baseAddress { storage.copyMemory(from: base, byteCount: rows * columns * 4) }
        scales = nil
    }

    /// Whether `format` rows of `columns` weights can be packed (else load them as dense floats).
    public static func canPack(_ format: QuantizedFormat, columns: Int) -> Bool {
        columns > 0 && columns % 64 == 0 && columns % format.blockElements == 0
    }

    /// Packs `rows` rows of `format` blocks (`columns / blockElements` blocks per row, rows contiguous).
    /// `rowOrder[i]` names the source row of packed row `i` (to undo a permutation), identity if nil.
    public init(rows: Int, columns: Int, format: QuantizedFormat, blocks: UnsafeRawPointer, rowOrder: [Int]? = nil) {
        precondition(Self.canPack(format, columns: columns), "PackedMatrix: \(format) rows of \(columns) cannot be packed")
        self.rows = rows
        self.columns = columns
        encoding = format.valueBits == 4 ? .nibbles : .bytes
        groupShift = format.groupShift
        let rowBytes = encoding == .nibbles ? columns / 2 : columns
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * rowBytes), alignment: 64)
        let groups = columns >> groupShift
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: max(1, rows * groups * 2))
        self.scales = scales
        let blocksPerRow = columns / format.blockElements
        let sourceRowBytes = blocksPerRow * format.blockBytes
        let values = UnsafeMutablePointer<UInt8>.allocate(capacity: columns)
        defer { values.deallocate() }
        for row in 0..<rows {
            let source = blocks + (rowOrder?[row] ?? row) * sourceRowBytes
            let rowScales = scales + row * groups * 2
            let pairsPerBlock = format.blockElements >> groupShift
            for b in 0..<blocksPerRow {
                format.decode(source + b * format.blockBytes, values: values + b * format.blockElements,
                              scales: rowScales + b * pairsPerBlock * 2)
            }
            let out = storage + row * rowBytes
            if encoding == .nibbles { Self.packNibbles(values, columns: columns, into: out) } else { Self.packBytes(values, columns: columns, into: out) }
        }
    }

    deinit {
        storage.deallocate()
        scales?.deallocate()
    }

    /// Bytes held (for logs and memory accounting).
    public var byteCount: Int { rows * rowBytes + (scales == nil ? 0 : rows * groupsPerRow * 8) }

    private static func packNibbles(_ values: UnsafePointer<UInt8>, columns: Int, into out: UnsafeMutableRawPointer) {
        let words = out.assumingMemoryBound(to: UInt32.self)
        var base = 0, word = 0
        while base + 128 <= columns {
            for l in 0..<16 {
                var w: UInt32 = 0
                for k in 0..<8 { w |= UInt32(values[base + 16 * k + l] & 0x0F) << UInt32(4 * k) }
                words[word + l] = w
            }
            base += 128
            word += 16
        }
        if base < columns {  // the last 64 weights
            for l in 0..<8 {
                var w: UInt32 = 0
                for k in 0..<8 { w |= UInt32(values[base + 8 * k + l] & 0x0F) << UInt32(4 * k) }
                words[word + l] = w
            }
        }
    }

    private static func packBytes(_ values: UnsafePointer<UInt8>, columns: Int, into out: UnsafeMutableRawPointer) {
        let words = out.assumingMemoryBound(to: UInt32.self)
        for group in 0..<(columns / 64) {
            for l in 0..<16 {
                var w: UInt32 = 0
                for k in 0..<4 { w |= UInt32(values[64 * group + 16 * k + l]) << UInt32(8 * k) }
                words[16 * group + l] = w
            }
        }
    }
}
