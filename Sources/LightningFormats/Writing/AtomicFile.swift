import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written under a temporary name and renamed into place once complete and synced, so readers
/// see the old file or the whole new one, never a part.
public final class AtomicFile {
    public let path: String
    private let temporary: String
    private let descriptor: Int32
    private var finished = false

    public init(path: String) throws {
        self.path = path
        temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.error(temporary, "cannot create") }
    }

    deinit {
        if !finished {
            close(descriptor)
            unlink(temporary)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(descriptor, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 24))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Self.error(temporary, "write failed") }
            offset += n
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Syncs the data and renames the file into place.
    public func commit() throws {
        guard fsync(descriptor) == 0 else { throw Self.error(temporary, "fsync failed") }
        finished = true
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let failure = Self.error(path, "rename from \(temporary) failed")
            unlink(temporary)
            throw failure
        }
    }

    private static func error(_ path: String, _ what: String) -> FormatError {
        FormatError(.io, "\(path): \(what): \(String(cString: strerror(errno)))")
    }
}
