import Foundation
import LightningFormats
import Testing

/// Corrupt safetensors files fail with a `FormatError` naming the file and the tensor.
@Suite struct SafetensorsCorruptionTests {
    /// A file with the JSON `header` (padded to 8 bytes) followed by `dataBytes` zero bytes.
    static func file(header: String, dataBytes: Int, declaredLength: UInt64? = nil) -> [UInt8] {
        var json = Array(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + json + [UInt8](repeating: 0, count: dataBytes)
    }

    func open(_ bytes: [UInt8]) -> FormatError? {
        (try? Fixtures.withTemporaryFile(bytes, name: "corrupt.safetensors") { path in
            formatError { _ = try SafetensorsFile(path: path) }
        }) ?? nil
    }

    @Test func handBuiltFileOpens() throws {
        let bytes = Self.file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}}"#, dataBytes: 12)
        try Fixtures.withTemporaryFile(bytes) { path in
            let file = try SafetensorsFile(path: path)
            #expect(file.tensorNames == ["a", "b"])
            #expect(try file.floats(named: "b") == [0, 0])
        }
    }

    @Test func overlappingRanges() {
        let error = open(Self.file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, dataBytes: 12))
        #expect(error?.code == .overlappingTensors)
        #expect(error?.message.contains("'a'") == true)
        #expect(error?.message.contains("'b'") == true)
    }

    @Test func rangePastTheEnd() {
        let error = open(Self.file(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 8))
        #expect(error?.code == .outOfBounds)
        #expect(error?.message.contains("'w'") == true)
    }

    @Test func rangeNotMatchingShape() {
        let error = open(Self.file(header: #"{"w":{"dtype":"F16","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 16))
        #expect(error?.code == .sizeMismatch)
        #expect(error?.message.contains("'w'") == true)
    }

    @Test(arguments: [
        #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[8,0]}}"#,
        #"{"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}"#,
        #"{"w":{"dtype":"F32","shape":[4]}}"#,
        #"{"w":{"shape":[4],"data_offsets":[0,16]}}"#,
        #"{"w":[1,2]}"#,
        #"{"__metadata__":{"a":1}}"#,
        #"{"w":{"dtype":"F32","#,
        #"[1, 2, 3]"#,
    ])
    func malformedHeader(header: String) {
        #expect(open(Self.file(header: header, dataBytes: 16))?.code == .invalidJSON)
    }

    @Test func unknownDType() {
        let error = open(Self.file(header: #"{"w":{"dtype":"F7","shape":[4],"data_offsets":[0,4]}}"#, dataBytes: 4))
        #expect(error?.code == .unsupportedDType)
        #expect(error?.message.contains("'w'") == true)
    }

    @Test func headerLengthLargerThanFile() {
        #expect(open(Self.file(header: "{}", dataBytes: 0, declaredLength: 1000))?.code == .invalidHeader)
        #expect(open(Self.file(header: "{}", dataBytes: 0, declaredLength: UInt64.max))?.code == .invalidHeader)
    }

    @Test(arguments: [0, 4, 7])
    func tooShortForTheLength(count: Int) {
        #expect(open([UInt8](repeating: 0, count: count))?.code == .truncated)
    }

    @Test(arguments: [9, 40, 100, 500, 700])
    func truncatedRealFile(cut: Int) throws {
        let bytes = try Fixtures.bytes("safetensors/single/model.safetensors")
        let code = open(Array(bytes.prefix(cut)))?.code
        #expect(code == .invalidHeader || code == .outOfBounds, "cut at \(cut): \(String(describing: code))")
    }

    /// 500 seeded runs flipping bytes of the length and JSON header: each opens or throws a `FormatError`.
    @Test func fuzzedHeadersNeverCrash() throws {
        let original = try Fixtures.bytes("safetensors/single/model.safetensors")
        let headerEnd = 8 + Int(original.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var rng = SplitMix64(seed: 0x5afe)
        var outcomes = 0
        try Fixtures.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("fuzz.safetensors").path
            for _ in 0..<500 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    bytes[Int.random(in: 0..<headerEnd, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                }
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                do {
                    let file = try SafetensorsFile(path: path)
                    for name in file.tensorNames {
                        _ = try? file.tensor(named: name).floats()
                    }
                } catch is FormatError {}
                outcomes += 1
            }
        }
        #expect(outcomes == 500)
    }
}
