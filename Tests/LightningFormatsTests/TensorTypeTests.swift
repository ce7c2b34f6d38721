import Foundation
import LightningFormats
import Testing

@Suite struct TensorTypeTests {
    @Test func idsAndBlockSizesMatchGGML() throws {
        let sizes = try #require(Fixtures.json("gguf/all-types.expected.json")["quant_sizes"]?.object)
        #expect(Set(sizes.keys) == Set(TensorType.allCases.map(\.name)))
        for type in TensorType.allCases {
            let pair = try #require(sizes[type.name]?.array)
            #expect([type.blockSize, type.blockBytes] == pair.compactMap(\.int), "\(type)")
        }
        #expect(TensorType(rawValue: 12) == .q4_K)
        #expect(TensorType(rawValue: 30) == .bf16)
        #expect(TensorType(rawValue: 4) == nil)
    }

    @Test func byteCounts() {
        #expect(TensorType.q4_K.byteCount(elements: 512) == 288)
        #expect(TensorType.q4_K.byteCount(elements: 100) == nil)
        #expect(TensorType.f16.byteCount(elements: 3) == 6)
        #expect(TensorType.q8_0.byteCount(elements: -32) == nil)
    }

    @Test func shortBufferIsASizeMismatch() throws {
        let bytes = [UInt8](repeating: 0, count: 33)
        let error = formatError {
            _ = try bytes.withUnsafeBytes { try TensorType.q8_0.dequantize($0, count: 32, tensor: "w") }
        }
        #expect(error?.code == .sizeMismatch)
        #expect(error?.message.contains("'w'") == true)
    }

    @Test func partialBlockIsASizeMismatch() throws {
        let bytes = [UInt8](repeating: 0, count: 68)
        let error = formatError {
            _ = try bytes.withUnsafeBytes { try TensorType.q8_0.dequantize($0, count: 40, tensor: "w") }
        }
        #expect(error?.code == .sizeMismatch)
    }

    @Test func halfConversionCoversEveryBitPattern() throws {
        // Every half converts as numpy does: spot checks at the edges of each class.
        let cases: [(UInt16, UInt32)] = [
            (0x0000, 0x0000_0000), (0x8000, 0x8000_0000), (0x0001, 0x3380_0000), (0x03ff, 0x387f_c000),
            (0x0400, 0x3880_0000), (0x3c00, 0x3f80_0000), (0x7bff, 0x477f_e000), (0x7c00, 0x7f80_0000),
            (0xfc00, 0xff80_0000), (0x7c01, 0x7f80_2000), (0xfe00, 0xffc0_0000),
        ]
        let bytes = cases.flatMap { withUnsafeBytes(of: $0.0.littleEndian, Array.init) }
        let floats = try bytes.withUnsafeBytes { try TensorType.f16.dequantize($0, count: cases.count) }
        #expect(floats.map(\.bitPattern) == cases.map(\.1))
    }
}
