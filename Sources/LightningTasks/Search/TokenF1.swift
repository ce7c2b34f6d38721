/// Token F1 of an answer against the gold answer (SQuAD-style): lowercased alphanumeric words, F1 of
/// the overlap counted with multiplicity. An exact answer scores 1, an empty or unrelated one 0.
enum TokenF1 {
    static func tokens(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    static func score(_ answer: String, gold: String) -> Double {
        let predicted = tokens(answer), expected = tokens(gold)
        guard !predicted.isEmpty, !expected.isEmpty else { return predicted == expected ? 1 : 0 }
        var remaining = Dictionary(expected.map { ($0, 1) }, uniquingKeysWith: +)
        var common = 0
        for token in predicted where remaining[token, default: 0] > 0 {
            remaining[token]! -= 1
            common += 1
        }
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(predicted.count), recall = Double(common) / Double(expected.count)
        return 2 * precision * recall / (precision + recall)
    }
}
