/// Builds the text of one generated choice from its tokens and watches for stop sequences.
///
/// Stop sequences are matched on the decoded bytes (so a stop string split across tokens is found).
/// Text is released for streaming only when it can no longer become part of a stop sequence and ends
/// on a whole UTF-8 character; the stop sequence itself is never part of the text.
struct TextAccumulator {
    private let vocabulary: TokenVocabulary
    private let stops: [[UInt8]]
    private let longestStop: Int
    private var bytes: [UInt8] = []
    private var released = 0
    /// Byte offset where the first complete stop sequence starts, once one is found.
    private(set) var stopOffset: Int?

    init(stops: [String], vocabulary: TokenVocabulary = .byteLevel) {
        self.vocabulary = vocabulary
        self.stops = stops.map { Array($0.utf8) }.filter { !$0.isEmpty }
        longestStop = self.stops.map(\.count).max() ?? 0
    }

    /// Appends a token's bytes (special tokens add none). Returns true when a stop sequence completed.
    mutating func append(_ token: Int32) -> Bool {
        guard stopOffset == nil else { return true }
        let added = vocabulary.bytes(of: token)
        guard !added.isEmpty else { return false }
        let before = bytes.count
        bytes += added
        // A stop sequence may end at any of the new bytes; the earliest start wins.
        for stop in stops {
            let firstEnd = max(before + 1, stop.count)
            guard bytes.count >= firstEnd else { continue }
            for end in firstEnd...bytes.count where bytes[(end - stop.count)..<end].elementsEqual(stop) {
                stopOffset = min(stopOffset ?? end - stop.count, end - stop.count)
                break
            }
        }
        return stopOffset != nil
    }

    /// Text that is final now and was not released before.
    mutating func releasable() -> String {
        var end = stopOffset ?? (bytes.count - heldForStops())
        end = characterBoundary(atOrBefore: end)
        guard end > released else { return "" }
        defer { released = end }
        return String(decoding: bytes[released..<end], as: UTF8.self)
    }

    /// The rest of the text when the choice ends (up to the stop sequence, if any).
    mutating func finish() -> String {
        let end = stopOffset ?? bytes.count
        guard end > released else { return "" }
        defer { released = end }
        return String(decoding: bytes[released..<end], as: UTF8.self)
    }

    /// The whole text (up to the stop sequence, if any).
    var text: String { String(decoding: bytes[0..<(stopOffset ?? bytes.count)], as: UTF8.self) }

    /// Length of the longest suffix of the bytes that is a proper prefix of a stop sequence.
    private func heldForStops() -> Int {
        guard longestStop > 1 else { return 0 }
        for length in stride(from: min(longestStop - 1, bytes.count), through: 1, by: -1) {
            let suffix = bytes[(bytes.count - length)...]
            if stops.contains(where: { $0.count > length && $0[0..<length].elementsEqual(suffix) }) { return length }
        }
        return 0
    }

    /// The largest offset ≤ `end` that does not cut a multi-byte UTF-8 character.
    private func characterBoundary(atOrBefore end: Int) -> Int {
        var i = end - 1
        while i >= max(0, end - 4) {
            let b = bytes[i]
            if b & 0xC0 == 0x80 { i -= 1; continue }  // continuation byte
            let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            return i + length > end ? i : end
        }
        return end
    }
}
