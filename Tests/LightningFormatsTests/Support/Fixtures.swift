import Foundation
import LightningFormats
import Testing

/// Paths of the committed fixtures (found from this file's location) and helpers for temporary files.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ relative: String) -> String {
        directory.appendingPathComponent(relative).path
    }

    static let allTypesGGUF = path("gguf/all-types.gguf")

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }

    static func json(_ relative: String) throws -> JSONValue {
        try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }

    /// The float32 values `gguf.quants.dequantize` wrote, as bit patterns.
    static func floatBits(_ relative: String) throws -> [UInt32] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(relative)))
        return data.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
        }
    }

    /// A fresh directory under the system's temporary directory, removed after `body`.
    static func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("lightning-formats-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }

    /// Writes `bytes` to a temporary file and calls `body` with its path.
    static func withTemporaryFile<R>(_ bytes: [UInt8], name: String = "file.bin", _ body: (String) throws -> R) throws -> R {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return try body(url.path)
        }
    }
}

/// Runs `body` and returns the `FormatError` it throws; records an issue when it throws something else or
/// nothing.
func formatError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> FormatError? {
    do {
        try body()
        Issue.record("expected a FormatError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as FormatError {
        return error
    } catch {
        Issue.record("expected a FormatError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A small seeded generator (SplitMix64), so fuzz runs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds GGUF bytes by hand, for headers no writer would produce.
struct GGUFBuilder {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ s: String) {
        u64(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    /// Magic, version and the two counts.
    static func header(version: UInt32 = 3, tensors: UInt64, kvs: UInt64) -> GGUFBuilder {
        var b = GGUFBuilder()
        b.bytes.append(contentsOf: Array("GGUF".utf8))
        b.u32(version)
        b.u64(tensors)
        b.u64(kvs)
        return b
    }
}
