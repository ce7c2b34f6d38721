/// A GGUF file (versions 2 and 3, little-endian), memory-mapped and fully validated on open.
///
/// Opening parses the header, every metadata value and every tensor description, and checks each
/// tensor's offset and size against the file, so a truncated or corrupt file fails here with a
/// `FormatError` naming the file and the field or tensor, never later with a crash. Tensor bytes are not
/// copied: `tensor(named:)` returns a view into the mapping.
///
/// `@unchecked Sendable` is safe: every stored property is an immutable `let` set in `init`; the only
/// non-`Sendable` state is the read-only, private mapping inside `MappedFile`, which no code writes to
/// and which `deinit` unmaps (`munmap`) only when no reference, and so no thread, is left.
public final class GGUFFile: TensorSource, @unchecked Sendable {
    /// The path the file was opened with.
    public let path: String
    /// The format version (2 or 3).
    public let version: UInt32
    /// The tensor-data alignment: `general.alignment`, or 32 when absent.
    public let alignment: Int
    /// Where the tensor-data section starts, from the start of the file.
    public let dataOffset: Int
    /// The metadata, in file order and by key.
    public let metadata: GGUFMetadata
    /// The tensor descriptions, in file order.
    public let tensors: [GGUFTensorInfo]

    private let tensorIndex: [String: Int]
    private let file: MappedFile

    /// The alignment GGUF uses when `general.alignment` is absent.
    public static let defaultAlignment = 32

    /// Maps and validates the GGUF file at `path`.
    /// - Throws: `FormatError` (`.io`, `.missingFile`, `.badMagic`, `.unsupportedVersion`, `.truncated`,
    ///   `.invalidHeader`, `.invalidValueType`, `.outOfBounds`, …) naming the file and the field or tensor.
    public init(path: String) throws {
        let file = try MappedFile(path: path)
        let parsed = try GGUFParser.parse(file.bytes, file: path)
        self.path = path
        self.file = file
        self.version = parsed.version
        self.alignment = parsed.alignment
        self.dataOffset = parsed.dataOffset
        self.metadata = parsed.metadata
        self.tensors = parsed.tensors
        self.tensorIndex = parsed.tensorIndex
    }

    /// The file's size in bytes.
    public var fileSize: Int { file.bytes.count }

    /// The description of the tensor named `name`, or `nil`.
    public func tensorInfo(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The bytes of a tensor of this file (valid while this `GGUFFile` lives).
    public func bytes(of info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[info.fileOffset..<(info.fileOffset + info.byteCount)])
    }

    public var tensorNames: [String] { tensors.map(\.name) }

    public func containsTensor(named name: String) -> Bool { tensorIndex[name] != nil }

    /// The tensor's row-major shape, type and bytes (see `TensorView` for how GGML's `ne` order maps).
    /// - Throws: `FormatError(.tensorNotFound)` naming the file and the tensor.
    public func tensor(named name: String) throws -> TensorView {
        guard let info = tensorInfo(named: name) else {
            throw FormatError(.tensorNotFound, "\(path): no tensor named '\(name)' (\(tensors.count) tensors)")
        }
        return TensorView(name: info.name, shape: info.shape, type: info.type, bytes: bytes(of: info), storage: file)
    }
}
