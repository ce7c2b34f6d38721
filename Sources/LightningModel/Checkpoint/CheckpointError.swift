/// Why a checkpoint could not be written or read. Reading never returns a partially loaded model:
/// every check runs before the data is handed out.
public struct CheckpointError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The file does not start with the checkpoint magic.
        case notACheckpoint = "not_a_checkpoint"
        /// Written by a newer (or unknown) format version.
        case unsupportedVersion = "unsupported_version"
        /// Shorter (or longer) than its header says: an interrupted copy or write.
        case truncated
        /// The content does not match its checksum: the file is corrupt.
        case checksumMismatch = "checksum_mismatch"
        /// The header cannot be decoded or describes an impossible model.
        case corruptHeader = "corrupt_header"
        /// The operating system refused an open, read, write, fsync or rename.
        case io
    }

    public let code: Code
    public let path: String
    public let message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "checkpoint \(path): \(code.rawValue): \(message)" }
}
