/// A named tensor's shape, element type and raw bytes, read from any `TensorSource`, so one model loader
/// serves GGUF files and safetensors folders alike.
///
/// `shape` is row-major, outermost first, as numpy and PyTorch write it: the last dimension is the
/// contiguous one. GGUF stores dimensions the other way round (`ne0`, the contiguous one, first), so a GGUF
/// tensor with GGML dimensions `[576, 49152]` has `shape == [49152, 576]`: 49,152 rows of 576 elements,
/// the same shape the Hugging Face checkpoint gives it. `ggmlDimensions` gives GGML's order back.
///
/// `@unchecked Sendable` is safe: `bytes` points into a read-only mapping that `storage` keeps alive for
/// as long as any copy of the view exists, and nothing writes to it. Do not keep `bytes` beyond the view.
public struct TensorView: @unchecked Sendable {
    /// The tensor's name in its file.
    public let name: String
    /// Row-major dimensions, outermost first (empty for a scalar).
    public let shape: [Int]
    /// The element type.
    public let type: TensorType
    /// The tensor's raw little-endian bytes, exactly `type.byteCount(elements: elementCount)` of them.
    public let bytes: UnsafeRawBufferPointer
    /// The file the bytes come from, for error messages.
    public let file: String
    /// Keeps the mapping behind `bytes` alive.
    private let storage: MappedFile

    init(name: String, shape: [Int], type: TensorType, bytes: UnsafeRawBufferPointer, storage: MappedFile) {
        self.name = name
        self.shape = shape
        self.type = type
        self.bytes = bytes
        self.file = storage.path
        self.storage = storage
    }

    /// Drops the bytes' pages from the process's resident memory once a loader has copied them out, so
    /// that loading a model never holds the file and its converted weights at once. The bytes stay
    /// readable: a later read faults them back in.
    public func dropResidentPages() { storage.dropPages(bytes) }

    /// The number of elements (the product of `shape`).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The dimensions in GGML order (`ne0` first): `shape` reversed.
    public var ggmlDimensions: [Int] { shape.reversed() }

    /// The elements as `Float`s, bit-exact with `gguf.quants.dequantize` (see `TensorType.dequantize`).
    /// - Throws: `FormatError(.unsupportedTensorType)` naming the tensor and its type.
    public func floats() throws -> [Float] {
        do {
            return try type.dequantize(bytes, count: elementCount, tensor: name)
        } catch let error as FormatError {
            throw FormatError(error.code, "\(file): \(error.message)")
        }
    }

    /// Converts the elements into `output`, which must hold exactly `elementCount` floats.
    public func dequantize(into output: UnsafeMutableBufferPointer<Float>) throws {
        guard output.count == elementCount else {
            throw FormatError(
                .sizeMismatch,
                "\(file): tensor '\(name)' has \(elementCount) elements, the output holds \(output.count)"
            )
        }
        do {
            try type.dequantize(bytes, into: output, tensor: name)
        } catch let error as FormatError {
            throw FormatError(error.code, "\(file): \(error.message)")
        }
    }
}

/// Anything that hands out named tensors: a `GGUFFile`, a `SafetensorsFile`, a `HuggingFaceFolder`.
public protocol TensorSource: Sendable {
    /// Every tensor's name, in file (or shard) order.
    var tensorNames: [String] { get }

    /// Whether a tensor of that name exists.
    func containsTensor(named name: String) -> Bool

    /// The tensor's shape, type and bytes.
    /// - Throws: `FormatError(.tensorNotFound)` naming the file, or a format-specific `FormatError`.
    func tensor(named name: String) throws -> TensorView
}

extension TensorSource {
    /// The tensor's elements as `Float`s (see `TensorView.floats()`).
    public func floats(named name: String) throws -> [Float] {
        try tensor(named: name).floats()
    }
}
