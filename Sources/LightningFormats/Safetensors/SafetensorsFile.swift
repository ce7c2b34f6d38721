/// A safetensors file, memory-mapped and validated on open: the header length is sane, the header is a
/// JSON object, every tensor's dtype is known, its `data_offsets` lie inside the file, match its shape and
/// overlap no other tensor.
public final class SafetensorsFile: TensorSource {
    /// The path the file was opened with.
    public let path: String
    /// The `__metadata__` strings (empty when absent).
    public let metadata: [String: String]
    /// The tensors, in data order.
    public let tensors: [SafetensorsTensorInfo]
    /// The JSON header's length in bytes (the data starts at `8 + headerLength`).
    public let headerLength: Int

    private let index: [String: Int]
    private let file: MappedFile

    /// Maps and validates the safetensors file at `path`.
    /// - Throws: `FormatError` (`.io`, `.missingFile`, `.truncated`, `.invalidHeader`, `.invalidJSON`,
    ///   `.unsupportedDType`, `.outOfBounds`, `.sizeMismatch`, `.overlappingTensors`) naming the file and
    ///   the tensor.
    public init(path: String) throws {
        let file = try MappedFile(path: path)
        let parsed = try SafetensorsHeader.parse(file.bytes, file: path)
        self.path = path
        self.file = file
        self.metadata = parsed.metadata
        self.tensors = parsed.tensors
        self.headerLength = parsed.headerLength
        self.index = parsed.index
    }

    /// The description of the tensor named `name`, or `nil`.
    public func tensorInfo(named name: String) -> SafetensorsTensorInfo? {
        index[name].map { tensors[$0] }
    }

    /// Calls `body` with a tensor's description and raw bytes, whatever its dtype (U8, BOOL, U64, …
    /// included). The bytes are valid only inside `body`.
    /// - Throws: `FormatError(.tensorNotFound)`, or what `body` throws.
    public func withRawBytes<R>(
        named name: String, _ body: (SafetensorsTensorInfo, UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        let info = try requireInfo(named: name)
        return try body(info, bytes(of: info))
    }

    public var tensorNames: [String] { tensors.map(\.name) }

    public func containsTensor(named name: String) -> Bool { index[name] != nil }

    /// The tensor as a `TensorView`.
    /// - Throws: `FormatError(.tensorNotFound)`, or `.unsupportedDType` for dtypes without a `TensorType`
    ///   (read those with `withRawBytes`).
    public func tensor(named name: String) throws -> TensorView {
        let info = try requireInfo(named: name)
        guard let type = info.dtype.tensorType else {
            throw FormatError(
                .unsupportedDType,
                "\(path): tensor '\(name)' has dtype \(info.dtype.rawValue), which has no TensorType; use withRawBytes"
            )
        }
        return TensorView(name: name, shape: info.shape, type: type, bytes: bytes(of: info), storage: file)
    }

    private func requireInfo(named name: String) throws -> SafetensorsTensorInfo {
        guard let info = tensorInfo(named: name) else {
            throw FormatError(.tensorNotFound, "\(path): no tensor named '\(name)' (\(tensors.count) tensors)")
        }
        return info
    }

    private func bytes(of info: SafetensorsTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[info.fileRange])
    }
}
