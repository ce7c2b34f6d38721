import Foundation
import LightningFormats
import Testing

/// The all-types GGUF written by `gguf.GGUFWriter` reads back exactly as `gguf.GGUFReader` reads it.
@Suite struct GGUFFileTests {
    let file: GGUFFile
    let expected: JSONValue

    init() throws {
        file = try GGUFFile(path: Fixtures.allTypesGGUF)
        expected = try Fixtures.json("gguf/all-types.expected.json")
    }

    @Test func headerMatchesReader() {
        #expect(file.version == 3)
        #expect(file.alignment == expected["alignment"]?.int)
        #expect(file.alignment == 64)
        #expect(file.dataOffset == expected["data_offset"]?.int)
    }

    @Test func everyMetadataValueMatchesBitForBit() throws {
        let entries = try #require(expected["metadata"]?.array)
        #expect(file.metadata.keys == entries.compactMap { $0["key"]?.string })
        for entry in entries {
            let key = try #require(entry["key"]?.string)
            let value = try #require(file.metadata[key], "missing \(key)")
            #expect(Self.matches(value, entry), "\(key): \(value) vs \(entry)")
        }
    }

    @Test func typedGetters() {
        let m = file.metadata
        #expect(m["general.architecture"]?.string == "testarch")
        #expect(m["test.uint8"]?.int == 255)
        #expect(m["test.int64"]?.int == Int(Int64.min))
        #expect(m["test.uint64"]?.int == nil)  // above Int.max
        #expect(m["test.uint32"]?.int == 4_294_967_295)
        #expect(m["test.float32"]?.float == Double(Float(0.1)))
        #expect(m["test.float64"]?.float == 2.718281828459045)
        #expect(m["test.uint16"]?.float == 65535)
        #expect(m["test.bool_true"]?.bool == true)
        #expect(m["test.bool_false"]?.bool == false)
        #expect(m["test.string"]?.string == "héllo, wörld 🌍 — \"quoted\"\n\ttab")
        #expect(m["test.array.string"]?.stringArray == ["a", "", "ü 🎉", "<|im_end|>"])
        #expect(m["test.array.int32"]?.intArray == [-2_147_483_648, 7, 2_147_483_647])
        #expect(m["test.array.float32"]?.floatArray?.first == 1.5)
        #expect(m["test.array.nested_int"]?.array?.map { $0.intArray ?? [] } == [[1, 2, 3], [4], [-5, 6]])
        #expect(m["test.array.nested_string"]?.array?.map { $0.stringArray ?? [] } == [["x", "y"], ["z"]])
        #expect(m["test.array.string"]?.intArray == nil)
        #expect(m["test.string"]?.int == nil)
        #expect(m["no.such.key"] == nil)
    }

    @Test func tensorInfosMatchReader() throws {
        let tensors = try #require(expected["tensors"]?.array)
        #expect(file.tensorNames == tensors.compactMap { $0["name"]?.string })
        for entry in tensors {
            let name = try #require(entry["name"]?.string)
            let info = try #require(file.tensorInfo(named: name))
            #expect(info.type.name == entry["type"]?.string)
            #expect(Int(info.type.rawValue) == entry["type_id"]?.int)
            #expect(info.dimensions == entry["ne"]?.array?.compactMap(\.int))
            #expect(info.shape == info.dimensions.reversed())
            #expect(info.offset == entry["offset"]?.int)
            #expect(info.fileOffset == entry["file_offset"]?.int)
            #expect(info.byteCount == entry["n_bytes"]?.int)
            #expect(info.elementCount == entry["n_elements"]?.int)
            #expect(info.offset % file.alignment == 0)
        }
    }

    @Test func viewsUseRowMajorShape() throws {
        let view = try file.tensor(named: "f32.3d")
        #expect(view.shape == [2, 3, 8])
        #expect(view.ggmlDimensions == [8, 3, 2])
        #expect(view.type == .f32)
        #expect(view.bytes.count == 192)
        #expect(try file.tensor(named: "q6_k.matrix").shape == [2, 512])
    }

    @Test func everyConvertibleTensorDequantizesBitExact() throws {
        let bits = try Fixtures.floatBits("gguf/all-types.floats.bin")
        var checked: [String] = []
        for entry in try #require(expected["tensors"]?.array) {
            guard let start = entry["float_start"]?.int else { continue }
            let name = try #require(entry["name"]?.string)
            let count = try #require(entry["n_elements"]?.int)
            let floats = try file.floats(named: name)
            let want = Array(bits[start..<(start + count)])
            let mismatches = zip(floats.map(\.bitPattern), want).enumerated().filter { $0.element.0 != $0.element.1 }
            #expect(floats.count == count, "\(name)")
            #expect(mismatches.isEmpty, "\(name): \(mismatches.count) mismatches, first \(mismatches.prefix(3))")
            checked.append(try #require(entry["type"]?.string))
        }
        #expect(Set(checked) == ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"])
    }

    @Test func dequantizeIntoBufferMatchesArray() throws {
        let view = try file.tensor(named: "q4_k.matrix")
        var out = [Float](repeating: .nan, count: view.elementCount)
        try out.withUnsafeMutableBufferPointer { try view.dequantize(into: $0) }
        #expect(out.map(\.bitPattern) == (try view.floats()).map(\.bitPattern))
        // Row by row, as a threaded loader would convert.
        let rowBytes = try #require(view.type.byteCount(elements: 512))
        var rows = [Float](repeating: .nan, count: view.elementCount)
        for row in 0..<2 {
            try rows.withUnsafeMutableBufferPointer { all in
                let slice = UnsafeMutableBufferPointer(rebasing: all[(row * 512)..<((row + 1) * 512)])
                try view.type.dequantize(UnsafeRawBufferPointer(rebasing: view.bytes[(row * rowBytes)..<((row + 1) * rowBytes)]), into: slice, tensor: view.name)
            }
        }
        #expect(rows.map(\.bitPattern) == out.map(\.bitPattern))
    }

    @Test(arguments: ["i32.vector", "iq4_nl.matrix"])
    func unsupportedTypesNameTypeAndTensor(name: String) throws {
        let view = try file.tensor(named: name)
        let error = formatError { _ = try view.floats() }
        #expect(error?.code == .unsupportedTensorType)
        #expect(error?.message.contains(name) == true)
        #expect(error?.message.contains(view.type.name) == true)
        #expect(error?.message.contains("all-types.gguf") == true)
    }

    @Test func missingTensorNamesFileAndTensor() {
        let error = formatError { _ = try file.tensor(named: "nope.weight") }
        #expect(error?.code == .tensorNotFound)
        #expect(error?.message.contains("nope.weight") == true)
        #expect(error?.message.contains("all-types.gguf") == true)
    }

    @Test func versionTwoReadsTheSame() throws {
        var bytes = try Fixtures.bytes("gguf/all-types.gguf")
        bytes[4] = 2
        try Fixtures.withTemporaryFile(bytes, name: "v2.gguf") { path in
            let v2 = try GGUFFile(path: path)
            #expect(v2.version == 2)
            #expect(v2.metadata == file.metadata)
            #expect(v2.tensors == file.tensors)
        }
    }

    @Test func tensorsOutliveTheirFile() throws {
        let view = try GGUFFile(path: Fixtures.allTypesGGUF).tensor(named: "q8_0.matrix")
        #expect(try view.floats().count == 256)
    }

    /// Whether `value` is what the expected JSON entry describes: same type tags, integers equal, floats
    /// with the same bit pattern.
    static func matches(_ value: GGUFValue, _ entry: JSONValue) -> Bool {
        guard String(describing: value.type).uppercased() == entry["type"]?.string else { return false }
        switch value {
        case .array(let element, let items):
            guard String(describing: element).uppercased() == entry["element_type"]?.string,
                  let expectedItems = entry["items"]?.array, expectedItems.count == items.count
            else { return false }
            return zip(items, expectedItems).allSatisfy { matches($0, $1) }
        case .float32(let v): return entry["bits"]?.string == String(format: "%08x", v.bitPattern)
        case .float64(let v): return entry["bits"]?.string == String(format: "%016llx", v.bitPattern)
        case .bool(let v): return entry["value"]?.bool == v
        case .string(let v): return entry["value"]?.string == v
        case .uint8(let v): return entry["value"]?.string == String(v)
        case .int8(let v): return entry["value"]?.string == String(v)
        case .uint16(let v): return entry["value"]?.string == String(v)
        case .int16(let v): return entry["value"]?.string == String(v)
        case .uint32(let v): return entry["value"]?.string == String(v)
        case .int32(let v): return entry["value"]?.string == String(v)
        case .uint64(let v): return entry["value"]?.string == String(v)
        case .int64(let v): return entry["value"]?.string == String(v)
        }
    }
}
