/// Where and how one tensor is stored in a GGUF file.
public struct GGUFTensorInfo: Sendable, Hashable {
    /// The tensor's name (`blk.0.attn_q.weight`).
    public let name: String
    /// The dimensions in GGML order: `ne0` first, the fastest-varying (contiguous) one. A weight GGML
    /// multiplies as `[n_embd, n_out]` has `dimensions == [n_embd, n_out]` and `shape == [n_out, n_embd]`.
    public let dimensions: [Int]
    /// The element type.
    public let type: TensorType
    /// The offset the file stores: from the start of the (aligned) tensor-data section.
    public let offset: Int
    /// The offset from the start of the file.
    public let fileOffset: Int
    /// The number of elements (the product of the dimensions; 1 for no dimensions).
    public let elementCount: Int
    /// The number of bytes the tensor takes.
    public let byteCount: Int

    /// The dimensions row-major, outermost first (numpy's and PyTorch's order): `dimensions` reversed.
    public var shape: [Int] { dimensions.reversed() }
}
