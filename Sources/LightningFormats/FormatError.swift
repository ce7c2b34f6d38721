/// Stable codes for what can be wrong with a model file. The raw values never change meaning, so callers
/// and logs may match on them.
public enum FormatErrorCode: String, Sendable, Hashable, CaseIterable {
    /// The file or folder could not be opened, inspected or mapped (missing, a directory, no permission).
    case io = "io"
    /// A file the folder layout requires is not there (`config.json`, the weights, a shard).
    case missingFile = "missing_file"
    /// The file ends inside a header field it declares.
    case truncated = "truncated"
    /// The first bytes are not the format's magic.
    case badMagic = "bad_magic"
    /// The format version (or byte order) is one this reader does not implement.
    case unsupportedVersion = "unsupported_version"
    /// A count, length or header size cannot be right for a file of this size.
    case invalidHeader = "invalid_header"
    /// A GGUF metadata value names a value type that does not exist, or arrays nest too deep.
    case invalidValueType = "invalid_value_type"
    /// A string is not valid UTF-8.
    case invalidString = "invalid_string"
    /// `general.alignment` is not a non-zero power of two stored as `UINT32`.
    case invalidAlignment = "invalid_alignment"
    /// Two metadata keys or two tensors have the same name.
    case duplicateName = "duplicate_name"
    /// A tensor's dimensions are negative, too many, overflow, or do not fit its type's block size.
    case invalidShape = "invalid_shape"
    /// A GGUF tensor names a GGML type id this reader does not know.
    case unknownTensorType = "unknown_tensor_type"
    /// A tensor's bytes lie (partly) outside the file.
    case outOfBounds = "out_of_bounds"
    /// A GGUF tensor's offset is not a multiple of the file's alignment.
    case misalignedOffset = "misaligned_offset"
    /// Two tensors' byte ranges overlap.
    case overlappingTensors = "overlapping_tensors"
    /// A JSON document (safetensors header, `config.json`, an index) is malformed or has the wrong shape.
    case invalidJSON = "invalid_json"
    /// A safetensors dtype this reader does not know, or one that has no `TensorType`.
    case unsupportedDType = "unsupported_dtype"
    /// The tensor's type cannot be converted to `Float` (for example IQ or integer types).
    case unsupportedTensorType = "unsupported_tensor_type"
    /// A byte count does not match the element count and type (or an output buffer is too small).
    case sizeMismatch = "size_mismatch"
    /// No tensor of that name exists in the file or folder.
    case tensorNotFound = "tensor_not_found"
}

/// The error every reader in `LightningFormats` throws: a stable `code` and a message that names the file
/// and, where there is one, the tensor or metadata field at fault.
public struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; stable across releases.
    public var code: FormatErrorCode
    /// A sentence a person can act on, naming the file and the tensor or field.
    public var message: String

    /// Creates an error with a code and a message.
    public init(_ code: FormatErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
