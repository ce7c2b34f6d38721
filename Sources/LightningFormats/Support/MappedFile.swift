#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only (`PROT_READ`, `MAP_PRIVATE`) into memory, unmapped when the last
/// reference goes away. Tensor views keep a reference, so their bytes stay valid as long as they live.
///
/// `@unchecked Sendable` is safe: every stored property is a `let` set once in `init`, and the mapping is
/// read-only and private, so no thread can write to the bytes through this object; `deinit` runs only when
/// no other reference (and so no other thread) remains. Another process truncating the file while it is
/// mapped can still raise `SIGBUS`, which no reader of a mapped file can prevent.
final class MappedFile: @unchecked Sendable {
    /// The path the file was opened with; used in error messages.
    let path: String
    /// The file's bytes (empty for an empty file).
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code: FormatErrorCode = errno == ENOENT ? .missingFile : .io
            throw FormatError(code, "\(path): cannot open: \(Self.errnoText())")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw FormatError(.io, "\(path): cannot stat: \(Self.errnoText())")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FormatError(.io, "\(path): not a regular file")
        }
        let length = Int(info.st_size)
        guard length > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0),
              base != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            throw FormatError(.io, "\(path): cannot map \(length) bytes: \(Self.errnoText())")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: length)
    }

    /// Drops the pages under `range` (which must lie in `bytes`) from the process's resident memory.
    /// Safe at any time: the mapping is read-only and private, so its pages are never dirty, and a later
    /// read faults them back in from the page cache or the file.
    func dropPages(_ range: UnsafeRawBufferPointer) {
        guard let start = range.baseAddress, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = Int(bitPattern: start) / page * page
        let end = (Int(bitPattern: start) + range.count + page - 1) / page * page
        _ = madvise(UnsafeMutableRawPointer(bitPattern: first), end - first, Int32(MADV_DONTNEED))
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
