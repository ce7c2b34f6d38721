import Foundation
import Testing

@testable import LightningFormats

#if os(Linux)  // reads /proc/self/smaps

/// A loader copies tensors out of a mapped file; dropping their pages keeps the file out of the
/// process's resident memory without making the bytes unreadable.
@Suite struct MappedFileTests {
    /// Resident kB of the mapping of the file at `path`, from `/proc/self/smaps`.
    static func residentKB(_ path: String) throws -> Int {
        // Read to the end: /proc files report a size of 0.
        let smaps = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps")).readDataToEndOfFile()
        let lines = String(decoding: smaps, as: UTF8.self).split(separator: "\n")
        let header = try #require(lines.firstIndex { $0.hasSuffix(" \(path)") }, "no mapping of \(path)")
        let rss = try #require(lines[(header + 1)...].first { $0.hasPrefix("Rss:") })
        return try #require(Int(rss.split(separator: " ")[1]))
    }

    @Test func droppedPagesLeaveResidentMemoryAndStayReadable() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID()).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let size = 4 << 20
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 3) }).write(to: URL(fileURLWithPath: path))
        let file = try MappedFile(path: path)
        let sum = file.bytes.reduce(0) { $0 &+ Int($1) }
        #expect(try Self.residentKB(path) >= size / 1024)

        // A range that starts and ends inside pages: the pages it touches go.
        file.dropPages(UnsafeRawBufferPointer(rebasing: file.bytes[100..<(size - 100)]))
        #expect(try Self.residentKB(path) == 0)
        #expect(file.bytes.reduce(0) { $0 &+ Int($1) } == sum)
    }
}
#endif
