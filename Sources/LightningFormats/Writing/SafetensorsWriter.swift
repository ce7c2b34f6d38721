import Foundation

/// Writes float tensors as a safetensors file: an 8-byte little-endian header length, a JSON header
/// (`__metadata__` strings, then each tensor's dtype, shape and `data_offsets`, padded with spaces to a
/// multiple of 8 bytes), then the little-endian data in header order. Values are converted to the
/// chosen dtype with round-to-nearest-even.
public enum SafetensorsWriter {
    /// One tensor to write: `values` must stay valid until `write` returns.
    public struct Tensor {
        public let name: String
        public let shape: [Int]
        public let values: UnsafeBufferPointer<Float>

        public init(name: String, shape: [Int], values: UnsafeBufferPointer<Float>) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// Writes `tensors` to `path` atomically, all as `dtype` (F32, F16 or BF16).
    public static func write(
        _ tensors: [Tensor], to path: String, dtype: SafetensorsDType = .f32, metadata: [String: String] = [:]
    ) throws {
        guard [.f32, .f16, .bf16].contains(dtype) else {
            throw FormatError(.unsupportedDType, "\(path): safetensors files are written as F32, F16 or BF16, not \(dtype.rawValue)")
        }
        var names = Set<String>()
        for tensor in tensors {
            guard names.insert(tensor.name).inserted else { throw FormatError(.duplicateName, "\(path): tensor '\(tensor.name)' twice") }
            guard tensor.shape.reduce(1, *) == tensor.values.count else {
                throw FormatError(.invalidShape, "\(path): tensor '\(tensor.name)' has \(tensor.values.count) values for shape \(tensor.shape)")
            }
        }
        let header = try headerBytes(tensors, dtype: dtype, metadata: metadata)
        let file = try AtomicFile(path: path)
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try file.write($0) }
        try file.write(header)
        for tensor in tensors { try writeValues(tensor.values, as: dtype, to: file) }
        try file.commit()
    }

    static func headerBytes(_ tensors: [Tensor], dtype: SafetensorsDType, metadata: [String: String]) throws -> [UInt8] {
        var entries: [String] = []
        if !metadata.isEmpty { entries.append("\"__metadata__\":" + (try jsonObject(metadata))) }
        var offset = 0
        for tensor in tensors {
            let end = offset + tensor.values.count * dtype.byteSize
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(try jsonString(tensor.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var bytes = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while bytes.count % 8 != 0 { bytes.append(0x20) }
        return bytes
    }

    private static func jsonString(_ text: String) throws -> String {
        String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
    }

    private static func jsonObject(_ values: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(values), as: UTF8.self)
    }

    /// Converts and writes in pieces of 1 Mi elements, so no whole-tensor copy is made.
    private static func writeValues(_ values: UnsafeBufferPointer<Float>, as dtype: SafetensorsDType, to file: AtomicFile) throws {
        guard dtype != .f32 else { return try file.write(UnsafeRawBufferPointer(values)) }
        let piece = 1 << 20
        var halves = [UInt16](repeating: 0, count: min(piece, values.count))
        for start in stride(from: 0, to: values.count, by: piece) {
            let count = min(piece, values.count - start)
            for i in 0..<count {
                let x = values[start + i]
                halves[i] = (dtype == .f16 ? Float16(x).bitPattern : bfloat16Bits(x)).littleEndian
            }
            try halves.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0.prefix(count * 2))) }
        }
    }

    /// The upper 16 bits of `x` rounded to nearest even (NaN kept a quiet NaN).
    static func bfloat16Bits(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return UInt16(bits >> 16) | 0x40 }
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }
}
