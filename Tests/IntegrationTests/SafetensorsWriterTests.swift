import Foundation
import LightningFormats
import Testing

/// `SafetensorsWriter` against the reference reader, Python's `safetensors` package, and our own.
@Suite struct SafetensorsWriterTests {
    static let values: [Float] = [0, 1, -2.5, 3.14159, 65504, 1e-5, -0.0, 7e-8, 12345.678, 0.3333333]

    @Test("files read back by the safetensors package with the names, shapes, dtypes and values written",
          arguments: [SafetensorsDType.f32, .f16, .bf16])
    func pythonReadsWhatWasWritten(_ dtype: SafetensorsDType) async throws {
        let directory = NSTemporaryDirectory() + "st-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.safetensors"
        let matrix = (0..<6).map { Float($0) * 0.5 - 1 }
        try Self.values.withUnsafeBufferPointer { v in
            try matrix.withUnsafeBufferPointer { m in
                try SafetensorsWriter.write([.init(name: "model.a\"quoted\"", shape: [10], values: v),
                                             .init(name: "lm_head.weight", shape: [2, 3], values: m)],
                                            to: path, dtype: dtype, metadata: ["format": "pt", "note": "ü"])
            }
        }
        let result = try await Python.run("""
        import json, numpy as np
        from safetensors import safe_open
        out = {}
        with safe_open("\(path)", framework="numpy") as f:
            out["metadata"] = f.metadata()
            for name in f.keys():
                t = f.get_tensor(name) if "\(dtype.rawValue)" != "BF16" else None
                sl = f.get_slice(name)
                out[name] = {"dtype": sl.get_dtype(), "shape": list(sl.get_shape()),
                             "values": None if t is None else [float(x) for x in t.astype(np.float64).reshape(-1)]}
        print(json.dumps(out))
        """)
        #expect(result.status == 0, "\(result.output)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(parsed["metadata"] as? [String: String] == ["format": "pt", "note": "ü"])
        let a = try #require(parsed["model.a\"quoted\""] as? [String: Any])
        #expect(a["dtype"] as? String == dtype.rawValue)
        #expect(a["shape"] as? [Int] == [10])
        #expect((parsed["lm_head.weight"] as? [String: Any])?["shape"] as? [Int] == [2, 3])
        // Our reader agrees value for value with what Python decoded (and with the rounding each dtype implies).
        let file = try SafetensorsFile(path: path)
        let ours = try file.floats(named: "model.a\"quoted\"")
        if let theirs = a["values"] as? [Double] { #expect(ours == theirs.map { Float($0) }) }
        for (written, read) in zip(Self.values, ours) {
            switch dtype {
            case .f32: #expect(read == written)
            case .f16: #expect(read == Float(Float16(written)))
            default: #expect(abs(read - written) <= abs(written) / 128)
            }
        }
    }

    @Test func badTensorsAreRefused() throws {
        let path = NSTemporaryDirectory() + "st-bad-\(UUID().uuidString).safetensors"
        let one: [Float] = [1]
        try one.withUnsafeBufferPointer { v in
            #expect(throws: FormatError.self) { try SafetensorsWriter.write([.init(name: "x", shape: [2], values: v)], to: path) }
            #expect(throws: FormatError.self) {
                try SafetensorsWriter.write([.init(name: "x", shape: [1], values: v), .init(name: "x", shape: [1], values: v)], to: path)
            }
            #expect(throws: FormatError.self) { try SafetensorsWriter.write([.init(name: "x", shape: [1], values: v)], to: path, dtype: .i32) }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
