import Foundation
import LightningCore

/// Keeps the last `capacity` bytes written to it, and how many were dropped, so that a process flooding
/// its output cannot exhaust memory while its last lines (where the reward is) survive.
struct BoundedBuffer: Sendable {
    let capacity: Int
    private(set) var bytes: [UInt8] = []
    private(set) var dropped = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func append(_ chunk: some Collection<UInt8>) {
        bytes.append(contentsOf: chunk)
        if bytes.count > capacity {
            let excess = bytes.count - capacity
            dropped += excess
            bytes.removeFirst(excess)
        }
    }

    /// The kept bytes as text (invalid UTF-8 and NUL characters repaired), with a note when the start
    /// was dropped.
    var text: String {
        let body = Validation.storable(String(decoding: bytes, as: UTF8.self), maxBytes: capacity * 3)
        return dropped > 0 ? "[… \(dropped) bytes dropped]\n" + body : body
    }

    /// The last `limit` characters of the kept text, with a note of how much came before them.
    func tail(_ limit: Int = 2000) -> String {
        let body = Validation.storable(String(decoding: bytes, as: UTF8.self), maxBytes: capacity * 3)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard body.count > limit || dropped > 0 else { return body }
        let kept = String(body.suffix(limit))
        let before = dropped + (body.utf8.count - kept.utf8.count)
        return "[… \(before) bytes dropped] " + kept
    }
}
