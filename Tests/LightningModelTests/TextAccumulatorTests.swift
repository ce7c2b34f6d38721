@testable import LightningModel
import Testing

@Suite struct TextAccumulatorTests {
    func feed(_ text: String, stops: [String]) -> (released: [String], stopped: Bool, final: String, whole: String) {
        var accumulator = TextAccumulator(stops: stops)
        var released: [String] = []
        var stopped = false
        for token in ByteTokenizer().encode(text) {
            stopped = accumulator.append(token)
            released.append(accumulator.releasable())
            if stopped { break }
        }
        let final = accumulator.finish()
        return (released, stopped, final, accumulator.text)
    }

    @Test func stopStringEndsTheTextBeforeIt() {
        let r = feed("Answer: 42\nObservation: more", stops: ["\nObservation:"])
        #expect(r.stopped)
        #expect(r.whole == "Answer: 42")
        #expect(r.released.joined() + r.final == "Answer: 42")
        // The newline was held back while it could start the stop string.
        #expect(!r.released.joined().hasSuffix("\n"))
    }

    @Test func partialStopPrefixIsReleasedWhenItDiverges() {
        let r = feed("a\nb", stops: ["\nObservation:"])
        #expect(!r.stopped)
        #expect(r.released.joined() + r.final == "a\nb")
        #expect(r.released[2] == "\nb")
    }

    @Test func multiByteCharactersAreNeverSplit() {
        let r = feed("é👍x", stops: [])
        #expect(r.released.allSatisfy { !$0.contains("\u{FFFD}") })
        #expect(r.released.joined() + r.final == "é👍x")
        #expect(r.released.filter { !$0.isEmpty } == ["é", "👍", "x"])
    }

    @Test func stopAcrossTokensAndEarliestMatchWins() {
        let r = feed("xxENDyy", stops: ["yy", "END"])
        #expect(r.whole == "xx")
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }
}
