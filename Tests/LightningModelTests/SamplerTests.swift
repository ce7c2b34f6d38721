import Foundation
@testable import LightningModel
import Testing

@Suite struct SamplerTests {
    let logits: [Float] = (0..<263).map { Float(($0 * 37) % 101) / 17 - 2 }

    func logSoftmax(_ z: [Float], temperature: Float) -> [Float] {
        let s = z.map { Double($0 / temperature) }
        let m = s.max()!
        let lse = m + Foundation.log(s.map { Foundation.exp($0 - m) }.reduce(0, +))
        return s.map { Float($0 - lse) }
    }

    @Test(arguments: [Float(0), 0.5, 1, 1.7])
    func reportedLogprobIsLogSoftmaxAtTemperature(_ temperature: Float) {
        var sampler = Sampler(vocabularySize: 263)
        var rng = SeededGenerator(seed: 1)
        let expected = logSoftmax(logits, temperature: temperature == 0 ? 1 : temperature)
        for _ in 0..<20 {
            let (token, top) = logits.withUnsafeBufferPointer {
                sampler.sample(logits: $0.baseAddress!, parameters: .init(temperature: temperature), topLogprobs: 5, rng: &rng)
            }
            #expect(abs(token.logprob - expected[Int(token.token)]) < 1e-5)
            #expect(top.count == 5)
            let sortedExpected = expected.enumerated().sorted { $0.element > $1.element }.prefix(5)
            #expect(top.map(\.token) == sortedExpected.map { Int32($0.offset) })
            #expect(zip(top, sortedExpected).allSatisfy { abs($0.logprob - $1.element) < 1e-5 })
        }
    }

    @Test func greedyPicksTheArgmax() {
        var sampler = Sampler(vocabularySize: 263)
        var rng = SeededGenerator(seed: 1)
        let best = logits.indices.max { logits[$0] < logits[$1] }!
        let (token, _) = logits.withUnsafeBufferPointer {
            sampler.sample(logits: $0.baseAddress!, parameters: .init(temperature: 0), topLogprobs: 0, rng: &rng)
        }
        #expect(Int(token.token) == best)
    }

    @Test func seedMakesSamplingRepeatable() {
        func draw(seed: UInt64) -> [Int32] {
            var sampler = Sampler(vocabularySize: 263)
            var rng = SeededGenerator(seed: seed)
            return (0..<50).map { _ in
                logits.withUnsafeBufferPointer {
                    sampler.sample(logits: $0.baseAddress!, parameters: .init(temperature: 1.3, topP: 0.9), topLogprobs: 0,
                                   rng: &rng).token.token
                }
            }
        }
        #expect(draw(seed: 42) == draw(seed: 42))
        #expect(draw(seed: 42) != draw(seed: 43))
    }

    @Test func topKAndTopPRestrictTheCandidates() {
        var sampler = Sampler(vocabularySize: 263)
        var rng = SeededGenerator(seed: 9)
        let ranked = logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        for _ in 0..<200 {
            let k = logits.withUnsafeBufferPointer {
                sampler.sample(logits: $0.baseAddress!, parameters: .init(temperature: 2, topK: 3), topLogprobs: 0, rng: &rng)
            }
            #expect(ranked.prefix(3).contains(Int(k.token.token)))
            let p = logits.withUnsafeBufferPointer {
                sampler.sample(logits: $0.baseAddress!, parameters: .init(temperature: 1, topP: 1e-6), topLogprobs: 0, rng: &rng)
            }
            #expect(Int(p.token.token) == ranked[0])
        }
    }
}
