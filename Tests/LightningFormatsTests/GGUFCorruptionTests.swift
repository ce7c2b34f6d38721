import Foundation
import LightningFormats
import Testing

/// Truncated, corrupt and hostile GGUF files fail with a `FormatError` and a sensible code, never a crash.
@Suite struct GGUFCorruptionTests {
    let original: [UInt8]
    let dataOffset: Int

    init() throws {
        original = try Fixtures.bytes("gguf/all-types.gguf")
        dataOffset = try GGUFFile(path: Fixtures.allTypesGGUF).dataOffset
    }

    func open(_ bytes: [UInt8]) -> FormatError? {
        (try? Fixtures.withTemporaryFile(bytes, name: "corrupt.gguf") { path in
            formatError { _ = try GGUFFile(path: path) }
        }) ?? nil
    }

    @Test(arguments: [0, 3, 4, 7, 12, 20, 24, 30, 100, 700, 1500, 2000])
    func truncatedHeaderIsTruncated(cut: Int) {
        let error = open(Array(original.prefix(cut)))
        #expect(error?.code == .truncated || error?.code == .invalidHeader, "cut at \(cut): \(String(describing: error))")
        #expect(error?.message.contains("corrupt.gguf") == true)
    }

    @Test(arguments: [60, 100, 2000, 4000])
    func truncatedDataNamesTheTensor(missing: Int) {
        let error = open(Array(original.dropLast(missing)))
        #expect(error?.code == .outOfBounds)
        #expect(error?.message.contains("tensor '") == true)
    }

    @Test func badMagic() {
        var bytes = original
        bytes[0] = UInt8(ascii: "X")
        #expect(open(bytes)?.code == .badMagic)
    }

    @Test(arguments: [UInt32(1), 4, 0x0300_0000])
    func unsupportedVersion(version: UInt32) {
        var bytes = original
        withUnsafeBytes(of: version.littleEndian) { bytes.replaceSubrange(4..<8, with: $0) }
        #expect(open(bytes)?.code == .unsupportedVersion)
    }

    @Test func emptyFileIsTruncated() {
        #expect(open([])?.code == .truncated)
    }

    @Test func missingFile() {
        let error = formatError { _ = try GGUFFile(path: "/nonexistent/model.gguf") }
        #expect(error?.code == .missingFile)
        #expect(error?.message.contains("/nonexistent/model.gguf") == true)
    }

    @Test func directoryIsAnIOError() {
        #expect(formatError { _ = try GGUFFile(path: Fixtures.path("gguf")) }?.code == .io)
    }

    /// Builds a file with one tensor of 32 F32 elements at `offset` and `dataBytes` bytes of data.
    func oneTensor(offset: UInt64, type: UInt32 = 0, ne0: UInt64 = 32, dataBytes: Int = 128, extra: (inout GGUFBuilder) -> Void = { _ in }) -> [UInt8] {
        var b = GGUFBuilder.header(tensors: 1, kvs: 0)
        extra(&b)
        b.string("w")
        b.u32(1)
        b.u64(ne0)
        b.u32(type)
        b.u64(offset)
        while b.bytes.count % 32 != 0 { b.u8(0) }
        b.bytes.append(contentsOf: [UInt8](repeating: 0, count: dataBytes))
        return b.bytes
    }

    @Test func wellFormedHandBuiltFileOpens() throws {
        try Fixtures.withTemporaryFile(oneTensor(offset: 0)) { path in
            let file = try GGUFFile(path: path)
            #expect(try file.floats(named: "w") == [Float](repeating: 0, count: 32))
        }
    }

    @Test func offsetPastTheEnd() {
        let error = open(oneTensor(offset: 1 << 20))
        #expect(error?.code == .outOfBounds)
        #expect(error?.message.contains("'w'") == true)
        #expect(open(oneTensor(offset: UInt64.max - 31))?.code == .outOfBounds)
    }

    @Test func misalignedOffset() {
        let error = open(oneTensor(offset: 4, dataBytes: 256))
        #expect(error?.code == .misalignedOffset)
        #expect(error?.message.contains("'w'") == true)
    }

    @Test func unknownTensorType() {
        #expect(open(oneTensor(offset: 0, type: 4))?.code == .unknownTensorType)
        #expect(open(oneTensor(offset: 0, type: 0xFFFF_FFFF))?.code == .unknownTensorType)
    }

    @Test func rowNotWholeBlocks() {
        #expect(open(oneTensor(offset: 0, type: TensorType.q4_K.rawValue, ne0: 32))?.code == .invalidShape)
    }

    @Test func hugeDimensions() {
        #expect(open(oneTensor(offset: 0, ne0: UInt64.max))?.code == .invalidShape)
        #expect(open(oneTensor(offset: 0, ne0: 1 << 50))?.code == .invalidShape)
        // Plausible dimensions whose bytes the file does not hold.
        #expect(open(oneTensor(offset: 0, ne0: 1 << 40))?.code == .outOfBounds)
    }

    @Test func overlappingTensors() {
        var b = GGUFBuilder.header(tensors: 2, kvs: 0)
        for name in ["a", "b"] {
            b.string(name); b.u32(1); b.u64(32); b.u32(0); b.u64(name == "a" ? 0 : 64)
        }
        while b.bytes.count % 32 != 0 { b.u8(0) }
        b.bytes.append(contentsOf: [UInt8](repeating: 0, count: 256))
        #expect(open(b.bytes)?.code == .overlappingTensors)
    }

    @Test func duplicateTensorName() {
        var b = GGUFBuilder.header(tensors: 2, kvs: 0)
        for offset: UInt64 in [0, 128] {
            b.string("a"); b.u32(1); b.u64(32); b.u32(0); b.u64(offset)
        }
        while b.bytes.count % 32 != 0 { b.u8(0) }
        b.bytes.append(contentsOf: [UInt8](repeating: 0, count: 256))
        #expect(open(b.bytes)?.code == .duplicateName)
    }

    @Test func hugeCounts() {
        #expect(open(GGUFBuilder.header(tensors: UInt64.max, kvs: 0).bytes)?.code == .invalidHeader)
        #expect(open(GGUFBuilder.header(tensors: 0, kvs: 1 << 62).bytes)?.code == .invalidHeader)
    }

    @Test func hugeStringLength() {
        var b = GGUFBuilder.header(tensors: 0, kvs: 1)
        b.u64(UInt64.max)  // key length
        b.bytes.append(contentsOf: [UInt8](repeating: 0x41, count: 64))
        let error = open(b.bytes)
        #expect(error?.code == .invalidHeader)
        #expect(error?.message.contains("metadata entry 0") == true)
    }

    @Test func hugeArrayCount() {
        var b = GGUFBuilder.header(tensors: 0, kvs: 1)
        b.string("big")
        b.u32(GGUFValueType.array.rawValue)
        b.u32(GGUFValueType.string.rawValue)
        b.u64(1 << 60)
        b.bytes.append(contentsOf: [UInt8](repeating: 0, count: 64))
        let error = open(b.bytes)
        #expect(error?.code == .invalidHeader)
        #expect(error?.message.contains("'big'") == true)
    }

    @Test(arguments: [UInt32(13), 255, 0xFFFF_FFFF])
    func unknownValueType(type: UInt32) {
        var b = GGUFBuilder.header(tensors: 0, kvs: 1)
        b.string("odd")
        b.u32(type)
        b.u64(0)
        let error = open(b.bytes)
        #expect(error?.code == .invalidValueType)
        #expect(error?.message.contains("'odd'") == true)
    }

    @Test func unknownArrayElementType() {
        var b = GGUFBuilder.header(tensors: 0, kvs: 1)
        b.string("odd")
        b.u32(GGUFValueType.array.rawValue)
        b.u32(99)
        b.u64(1)
        b.u64(0)
        #expect(open(b.bytes)?.code == .invalidValueType)
    }

    @Test func deeplyNestedArrays() {
        var b = GGUFBuilder.header(tensors: 0, kvs: 1)
        b.string("deep")
        b.u32(GGUFValueType.array.rawValue)
        for _ in 0..<10_000 {
            b.u32(GGUFValueType.array.rawValue)
            b.u64(1)
        }
        b.u32(GGUFValueType.uint8.rawValue)
        b.u64(0)
        #expect(open(b.bytes)?.code == .invalidValueType)
    }

    @Test func invalidUTF8Key() {
        var b = GGUFBuilder.header(tensors: 0, kvs: 1)
        b.u64(2)
        b.bytes.append(contentsOf: [0xC3, 0x28])
        b.u32(GGUFValueType.uint8.rawValue)
        b.u8(1)
        #expect(open(b.bytes)?.code == .invalidString)
    }

    @Test(arguments: [GGUFValueType.uint32, .uint64])
    func invalidAlignment(type: GGUFValueType) {
        var b = GGUFBuilder.header(tensors: 0, kvs: 1)
        b.string("general.alignment")
        b.u32(type.rawValue)
        if type == .uint32 { b.u32(48) } else { b.u64(64) }
        #expect(open(b.bytes)?.code == .invalidAlignment)
    }

    @Test func duplicateKey() {
        var b = GGUFBuilder.header(tensors: 0, kvs: 2)
        for _ in 0..<2 {
            b.string("k"); b.u32(GGUFValueType.uint8.rawValue); b.u8(1)
        }
        #expect(open(b.bytes)?.code == .duplicateName)
    }

    /// 500 seeded runs flipping one to four random bytes of the header region: each either opens (and
    /// then every convertible tensor converts) or throws a `FormatError`.
    @Test func fuzzedHeadersNeverCrash() throws {
        var rng = SplitMix64(seed: 0x6767_7566)
        var opened = 0, rejected = 0
        try Fixtures.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("fuzz.gguf").path
            for _ in 0..<500 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<dataOffset, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                }
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                do {
                    let file = try GGUFFile(path: path)
                    for info in file.tensors where info.type.canDequantize {
                        _ = try file.tensor(named: info.name).floats()
                    }
                    opened += 1
                } catch is FormatError {
                    rejected += 1
                }
            }
        }
        #expect(opened + rejected == 500)
        #expect(rejected > 0)
    }
}
