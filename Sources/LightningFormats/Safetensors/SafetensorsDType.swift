/// A safetensors element type, spelled as in the header (`"F32"`, `"BF16"`, …).
public enum SafetensorsDType: String, Sendable, Hashable, CaseIterable {
    case bool = "BOOL"
    case u8 = "U8"
    case i8 = "I8"
    case f8_e5m2 = "F8_E5M2"
    case f8_e4m3 = "F8_E4M3"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8_e5m2, .f8_e4m3: 1
        case .i16, .u16, .f16, .bf16: 2
        case .i32, .u32, .f32: 4
        case .f64, .i64, .u64: 8
        }
    }

    /// The matching `TensorType`, for the dtypes GGML also has; `nil` for unsigned, bool and 8-bit floats.
    public var tensorType: TensorType? {
        switch self {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        case .f64: .f64
        case .i8: .i8
        case .i16: .i16
        case .i32: .i32
        case .i64: .i64
        default: nil
        }
    }
}

/// Where and how one tensor is stored in a safetensors file.
public struct SafetensorsTensorInfo: Sendable, Hashable {
    /// The tensor's name.
    public let name: String
    /// The element type.
    public let dtype: SafetensorsDType
    /// Row-major dimensions, outermost first (empty for a scalar).
    public let shape: [Int]
    /// The header's `data_offsets`: the byte range relative to the end of the header.
    public let dataOffsets: Range<Int>
    /// The byte range from the start of the file.
    public let fileRange: Range<Int>

    /// The number of elements (the product of `shape`).
    public var elementCount: Int { shape.reduce(1, *) }
    /// The number of bytes.
    public var byteCount: Int { dataOffsets.count }
}
