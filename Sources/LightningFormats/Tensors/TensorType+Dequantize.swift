extension TensorType {
    /// Converts the first `count` elements stored in `bytes` to `Float`s, bit-exact with
    /// `gguf.quants.dequantize` (gguf 0.19.0) for F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K,
    /// Q4_K, Q5_K and Q6_K.
    ///
    /// - Parameters:
    ///   - bytes: the tensor's raw little-endian bytes; at least `byteCount(elements: count)` of them.
    ///   - count: the number of elements, a multiple of `blockSize`.
    ///   - tensor: the tensor's name, used in error messages.
    /// - Throws: `FormatError` `.unsupportedTensorType` for other types, `.sizeMismatch` when `count` is not
    ///   whole blocks or `bytes` is too short.
    public func dequantize(_ bytes: UnsafeRawBufferPointer, count: Int, tensor: String = "") throws -> [Float] {
        try checkDequantizable(tensor: tensor)
        return try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try dequantize(bytes, into: buffer, tensor: tensor)
            initialized = count
        }
    }

    /// Converts `output.count` elements stored in `bytes` into `output`; see
    /// `dequantize(_:count:tensor:)`. Convert a tensor in row ranges to spread the work over threads:
    /// whole rows are whole blocks.
    public func dequantize(
        _ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<Float>, tensor: String = ""
    ) throws {
        try checkDequantizable(tensor: tensor)
        let count = output.count
        guard let needed = byteCount(elements: count) else {
            throw FormatError(
                .sizeMismatch,
                "tensor \(quoted(tensor)): \(count) elements are not a whole number of \(name) blocks of \(blockSize)"
            )
        }
        guard bytes.count >= needed else {
            throw FormatError(
                .sizeMismatch,
                "tensor \(quoted(tensor)): \(count) \(name) elements need \(needed) bytes, got \(bytes.count)"
            )
        }
        guard count > 0, let src = bytes.baseAddress, let dst = output.baseAddress else { return }
        let blocks = count / blockSize
        switch self {
        case .f32: Dequantize.f32(src, dst, count: count)
        case .f16: Dequantize.f16(src, dst, count: count)
        case .bf16: Dequantize.bf16(src, dst, count: count)
        case .q8_0: Dequantize.q8_0(src, dst, blocks: blocks)
        case .q4_0: Dequantize.q4_0(src, dst, blocks: blocks)
        case .q4_1: Dequantize.q4_1(src, dst, blocks: blocks)
        case .q5_0: Dequantize.q5_0(src, dst, blocks: blocks)
        case .q5_1: Dequantize.q5_1(src, dst, blocks: blocks)
        case .q2_K: Dequantize.q2_K(src, dst, blocks: blocks)
        case .q3_K: Dequantize.q3_K(src, dst, blocks: blocks)
        case .q4_K: Dequantize.q4_K(src, dst, blocks: blocks)
        case .q5_K: Dequantize.q5_K(src, dst, blocks: blocks)
        case .q6_K: Dequantize.q6_K(src, dst, blocks: blocks)
        default: break  // excluded by checkDequantizable
        }
    }

    private func checkDequantizable(tensor: String) throws {
        guard canDequantize else {
            throw FormatError(
                .unsupportedTensorType,
                "tensor \(quoted(tensor)) has type \(name) (\(rawValue)), which cannot be converted to Float"
            )
        }
    }

    private func quoted(_ tensor: String) -> String { "'\(tensor)'" }
}

/// The conversion kernels. Each works block by block with fixed-length inner loops the compiler can
/// vectorise, and does exactly numpy's float32 operations in numpy's order (no fused multiply-add), so the
/// results are bit-identical to `gguf.quants`.
enum Dequantize {
    static func f32(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
    }

    static func f16(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        HalfFloat.table.withUnsafeBufferPointer { table in
            for i in 0..<count {
                let bits = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                dst[i] = table[Int(bits)]
            }
        }
    }

    static func bf16(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let bits = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            dst[i] = HalfFloat.float(fromBFloat: bits)
        }
    }
}
