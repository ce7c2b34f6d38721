import Foundation
import LightningModel

/// What every fixture's metadata names: the batch shape.
protocol FixtureMeta: Decodable {
    var batch: Int { get }
    var time: Int { get }
}

/// Optimizer settings of a fixture's training steps.
struct FixtureHyper: Decodable {
    let lr, beta1, beta2, eps, weightDecay, maxNorm: Float
}

/// Metadata of the GPT fixtures (`make_fixtures.py`).
struct GPTFixtureMeta: FixtureMeta {
    let config: ModelConfig
    let batch: Int
    let time: Int
    let temperature: Float?
    let hyper: FixtureHyper?
}

typealias GPTFixture = Fixture<GPTFixtureMeta>

/// A fixture written by `Tools/reference/make_fixtures.py`: magic `LMFIXT01`, a UInt32 length, a JSON
/// index, then little-endian float32 / int32 arrays.
struct Fixture<Meta: FixtureMeta> {
    struct Spec: Decodable {
        let dtype: String
        let shape: [Int]
        let offset: Int
    }

    private struct Index: Decodable {
        let meta: Meta
        let arrays: [String: Spec]
    }

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    let meta: Meta
    private let specs: [String: Spec]
    private let data: Data

    init(named name: String) throws {
        guard let url = Bundle.module.url(forResource: name, withExtension: "bin", subdirectory: "Fixtures") else {
            throw FormatError(description: "fixture \(name).bin not found in the test bundle")
        }
        let blob = try Data(contentsOf: url)
        guard blob.count > 12, blob.prefix(8) == Data("LMFIXT01".utf8) else {
            throw FormatError(description: "\(name).bin is not a fixture file")
        }
        let headerLength = blob.subdata(in: 8..<12).withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
        let index = try JSONDecoder().decode(Index.self, from: blob.subdata(in: 12..<(12 + headerLength)))
        meta = index.meta
        specs = index.arrays
        data = blob.subdata(in: (12 + headerLength)..<blob.count)
    }

    private func raw<T>(_ name: String, as type: T.Type) -> [T] {
        guard let spec = specs[name] else { return [] }
        let count = spec.shape.reduce(1, *)
        return data.withUnsafeBytes { bytes in
            (0..<count).map { bytes.loadUnaligned(fromByteOffset: spec.offset + $0 * 4, as: T.self) }
        }
    }

    func floats(_ name: String) -> [Float] { raw(name, as: Float.self) }
    func ints(_ name: String) -> [Int32] { raw(name, as: Int32.self) }

    var batch: TokenBatch {
        TokenBatch(tokens: ints("tokens"), targets: ints("targets"), batchSize: meta.batch,
                   sequenceLength: meta.time, lengths: ints("lengths").map(Int.init))
    }
}

/// Largest `|a − b| / (|b| + scale)`, where `scale` is the RMS of `b` (so near-zero entries are judged
/// against the tensor's typical size rather than themselves).
func worstRelativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    guard !b.isEmpty else { return 0 }
    let scale = (b.reduce(0) { $0 + $1 * $1 } / Float(b.count)).squareRoot() + 1e-12
    var worst: Float = 0
    for i in a.indices { worst = max(worst, abs(a[i] - b[i]) / (abs(b[i]) + scale)) }
    return worst
}
