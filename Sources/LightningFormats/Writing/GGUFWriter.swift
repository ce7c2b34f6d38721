import Foundation

/// Writes GGUF version 3 files: the header, metadata key-value pairs, tensor descriptions, then each
/// tensor's data at an offset aligned to `general.alignment` (32). Tensors are given as floats and
/// stored as F32, F16 or Q8_0 (blocks of 32: an F16 scale `max|x|/127`, then 32 signed bytes
/// `round(x/scale)`, rounding half away from zero as llama.cpp and `gguf.quants` do).
public enum GGUFWriter {
    /// A tensor to write, `shape` outermost first (`[rows, columns]`); stored with GGML's reversed
    /// dimensions. `values` must stay valid until `write` returns.
    public struct Tensor {
        public let name: String
        public let shape: [Int]
        public let type: TensorType
        public let values: UnsafeBufferPointer<Float>

        public init(name: String, shape: [Int], type: TensorType, values: UnsafeBufferPointer<Float>) {
            self.name = name
            self.shape = shape
            self.type = type
            self.values = values
        }
    }

    public static let alignment = 32

    /// Writes `metadata` (in order) and `tensors` to `path` atomically.
    public static func write(metadata: [GGUFMetadataEntry], tensors: [Tensor], to path: String) throws {
        for tensor in tensors {
            guard [.f32, .f16, .q8_0].contains(tensor.type) else {
                throw FormatError(.unsupportedTensorType, "\(path): tensor '\(tensor.name)' cannot be written as \(tensor.type)")
            }
            guard tensor.shape.reduce(1, *) == tensor.values.count, !tensor.shape.isEmpty else {
                throw FormatError(.invalidShape, "\(path): tensor '\(tensor.name)' has \(tensor.values.count) values for shape \(tensor.shape)")
            }
            if tensor.type == .q8_0, tensor.shape.last! % 32 != 0 {
                throw FormatError(.invalidShape, "\(path): tensor '\(tensor.name)' rows of \(tensor.shape.last!) cannot be Q8_0 blocks of 32")
            }
        }
        var header = ByteWriter()
        header.bytes += Array("GGUF".utf8)
        header.put(UInt32(3))
        header.put(UInt64(tensors.count))
        header.put(UInt64(metadata.count))
        for entry in metadata {
            header.put(string: entry.key)
            header.put(UInt32(entry.value.type.rawValue))
            header.put(value: entry.value)
        }
        var offset = 0
        var offsets: [Int] = []
        for tensor in tensors {
            header.put(string: tensor.name)
            header.put(UInt32(tensor.shape.count))
            for dimension in tensor.shape.reversed() { header.put(UInt64(dimension)) }
            header.put(UInt32(tensor.type.rawValue))
            header.put(UInt64(offset))
            offsets.append(offset)
            offset = aligned(offset + byteCount(tensor))
        }
        let file = try AtomicFile(path: path)
        header.bytes += [UInt8](repeating: 0, count: aligned(header.bytes.count) - header.bytes.count)
        try file.write(header.bytes)
        for tensor in tensors {
            let data = encode(tensor)
            try file.write(data + [UInt8](repeating: 0, count: aligned(data.count) - data.count))
        }
        try file.commit()
    }

    static func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    static func byteCount(_ tensor: Tensor) -> Int {
        switch tensor.type {
        case .f16: tensor.values.count * 2
        case .q8_0: tensor.values.count / 32 * 34
        default: tensor.values.count * 4
        }
    }

    static func encode(_ tensor: Tensor) -> [UInt8] {
        let values = tensor.values
        var out = ByteWriter()
        out.bytes.reserveCapacity(byteCount(tensor))
        switch tensor.type {
        case .f16:
            for x in values { out.put(Float16(x).bitPattern) }
        case .q8_0:
            for block in stride(from: 0, to: values.count, by: 32) {
                var amax: Float = 0
                for i in block..<(block + 32) { amax = max(amax, abs(values[i])) }
                let scale = amax / 127, inverse = scale == 0 ? 0 : 1 / scale
                out.put(Float16(scale).bitPattern)
                for i in block..<(block + 32) {
                    let q = (values[i] * inverse).rounded(.toNearestOrAwayFromZero)
                    out.bytes.append(UInt8(bitPattern: Int8(max(-128, min(127, q)))))
                }
            }
        default:
            for x in values { out.put(x.bitPattern) }
        }
        return out.bytes
    }
}

/// Little-endian bytes for GGUF headers.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    mutating func put(string: String) {
        let utf8 = Array(string.utf8)
        put(UInt64(utf8.count))
        bytes += utf8
    }

    mutating func put(value: GGUFValue) {
        switch value {
        case .uint8(let v): put(v)
        case .int8(let v): put(v)
        case .uint16(let v): put(v)
        case .int16(let v): put(v)
        case .uint32(let v): put(v)
        case .int32(let v): put(v)
        case .uint64(let v): put(v)
        case .int64(let v): put(v)
        case .float32(let v): put(v.bitPattern)
        case .float64(let v): put(v.bitPattern)
        case .bool(let v): bytes.append(v ? 1 : 0)
        case .string(let v): put(string: v)
        case .array(let type, let elements):
            put(UInt32(type.rawValue))
            put(UInt64(elements.count))
            for element in elements { put(value: element) }
        }
    }
}
