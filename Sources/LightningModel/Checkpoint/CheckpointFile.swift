import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX file descriptor with errors turned into `CheckpointError`s.
struct CheckpointFile {
    let path: String
    let descriptor: Int32

    init(creating path: String) throws(CheckpointError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.error(path, "cannot create") }
    }

    init(reading path: String) throws(CheckpointError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.error(path, "cannot open") }
    }

    static func error(_ path: String, _ what: String) -> CheckpointError {
        CheckpointError(.io, path: path, "\(what): \(String(cString: strerror(errno)))")
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(CheckpointError) {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(descriptor, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 24))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Self.error(path, "write failed") }
            offset += n
        }
    }

    func read(into bytes: UnsafeMutableRawBufferPointer) throws(CheckpointError) {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.read(descriptor, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 24))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw n == 0 ? CheckpointError(.truncated, path: path, "the file ended early") : Self.error(path, "read failed")
            }
            offset += n
        }
    }

    func size() throws(CheckpointError) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Self.error(path, "stat failed") }
        return Int(info.st_size)
    }

    func sync() throws(CheckpointError) {
        guard fsync(descriptor) == 0 else { throw Self.error(path, "fsync failed") }
    }

    func close() throws(CheckpointError) {
        guard Foundation.close(descriptor) == 0 else { throw Self.error(path, "close failed") }
    }

    /// Makes the rename durable (best effort: some file systems refuse fsync on directories).
    static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = Foundation.close(fd)
    }
}
