import Foundation
import LightningCore

/// The two shapes of rollout the store benchmark runs.
enum Workload: String, CaseIterable {
    /// Dequeue, 8 spans of about 1 KB of attributes in two batches of 4, a reward, finish.
    case simple
    /// agent-lightning's own store benchmark: 1–10 rounds, 3.5 spans per round plus 3, about 5 KB of
    /// attributes per span as a flattened random nested dictionary.
    case agentLightning = "agent-lightning"

    /// The batches of spans one rollout sends, given a random source.
    func batches(for claimed: ClaimedRollout, attributes: AttributePool, random: inout some RandomNumberGenerator) -> [[Span]] {
        switch self {
        case .simple:
            let spans = (0..<8).map { index in makeSpan(claimed, name: "llm.call.\(index)", attributes: attributes.next(&random)) }
            return [Array(spans[0..<4]), Array(spans[4...]) + [reward(claimed)]]
        case .agentLightning:
            let rounds = Int.random(in: 1...10, using: &random)
            var batches: [[Span]] = []
            for round in 0..<rounds {
                let count = round % 2 == 0 ? 3 : 4
                batches.append((0..<count).map { index in makeSpan(claimed, name: "round\(round).span\(index)", attributes: attributes.next(&random)) })
            }
            batches.append([
                makeSpan(claimed, name: "agent.final", attributes: attributes.next(&random)),
                makeSpan(claimed, name: "agent.summary", attributes: attributes.next(&random)),
                reward(claimed),
            ])
            return batches
        }
    }

    var attributeBytes: Int { self == .simple ? 1024 : 5 * 1024 }

    private func makeSpan(_ claimed: ClaimedRollout, name: String, attributes: JSONText) -> Span {
        Span(
            rolloutID: claimed.rollout.rolloutID, attemptID: claimed.attempt.attemptID, traceID: Identifier.traceID(),
            spanID: Identifier.spanID(), name: name, kind: .client, startTimeUnixNano: 1_700_000_000_000_000_000,
            endTimeUnixNano: 1_700_000_000_100_000_000, attributes: attributes
        )
    }

    private func reward(_ claimed: ClaimedRollout) -> Span {
        makeSpan(claimed, name: "lightning.reward", attributes: JSONText(unchecked: #"{"lightning.reward.value":1.0}"#))
    }
}

/// Pre-made attribute documents of a target size: flattened nested dictionaries of random values.
struct AttributePool: Sendable {
    let documents: [JSONText]

    init(bytes: Int, count: Int = 64) {
        var random = SystemRandomNumberGenerator()
        documents = (0..<count).map { _ in AttributePool.document(bytes: bytes, random: &random) }
    }

    func next(_ random: inout some RandomNumberGenerator) -> JSONText {
        documents[Int.random(in: 0..<documents.count, using: &random)]
    }

    static func document(bytes: Int, random: inout some RandomNumberGenerator) -> JSONText {
        var object: [String: JSONValue] = [:]
        var size = 2
        let words = ["agent", "tool", "llm", "input", "output", "meta", "step", "score", "trace", "config"]
        while size < bytes {
            let depth = Int.random(in: 1...4, using: &random)
            let key = (0..<depth).map { _ in words.randomElement(using: &random)! + String(Int.random(in: 0..<100, using: &random)) }.joined(separator: ".")
            let value: JSONValue = switch Int.random(in: 0..<3, using: &random) {
            case 0: .number(Double(Int.random(in: 0..<1_000_000, using: &random)))
            case 1: .bool(Bool.random(using: &random))
            default: .string(String((0..<Int.random(in: 8...64, using: &random)).map { _ in "abcdefghijklmnopqrstuvwxyz ".randomElement(using: &random)! }))
            }
            object[key] = value
            size += key.utf8.count + 24
        }
        return (try? JSONText(encoding: JSONValue.object(object))) ?? .emptyObject
    }
}
