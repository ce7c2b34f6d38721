/// A tensor as a model file stores it, handed to a loader: its shape (row-major, outermost first, so a
/// matrix of `rows` output features is `[rows, columns]`), its quantized blocks when it has a block
/// format `PackedMatrix` keeps as it is, and a way to get its values as floats otherwise.
public struct StoredTensor {
    public var name: String
    public var shape: [Int]
    /// The block format and the blocks (rows contiguous), if the tensor is stored in one of
    /// `QuantizedFormat`'s formats.
    public var blocks: (format: QuantizedFormat, bytes: UnsafeRawPointer)?
    /// All values as floats, row-major (dequantized or converted from F16/BF16).
    public var floats: () throws -> [Float]
    /// Called once the loader has copied the tensor out (a mapped file drops its pages from memory).
    public var copied: () -> Void

    public init(name: String, shape: [Int], blocks: (format: QuantizedFormat, bytes: UnsafeRawPointer)?,
                floats: @escaping () throws -> [Float], copied: @escaping () -> Void = {}) {
        self.name = name
        self.shape = shape
        self.blocks = blocks
        self.floats = floats
        self.copied = copied
    }

    public var count: Int { shape.reduce(1, *) }
}

/// Finds a file's tensors by name (nil when the file has no such tensor). The memory of the tensors
/// stays valid while the loader runs.
public typealias TensorLookup = (String) throws -> StoredTensor?
