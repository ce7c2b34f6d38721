/// The pre-tokenizer splits of byte-level BPE models, as hand-written scanners equivalent to their
/// regular expressions (Unicode classes from Swift's Unicode tables; `\s` is White_Space).
public enum PreTokenizerPattern: String, Sendable, Hashable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// Llama 3: case-insensitive contractions, `[^\r\n\p{L}\p{N}]?\p{L}+`, `\p{N}{1,3}`,
    /// ` ?[^\s\p{L}\p{N}]+[\r\n]*`, `\s*[\r\n]+`, `\s+(?!\S)`, `\s+`.
    case llama3
    /// Qwen2: as Llama 3 with single digits.
    case qwen2

    /// Splits `text` into pieces (their scalars concatenate back to `text`).
    func split(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var i = 0
        while i < text.count {
            let length = match(text, at: i)
            pieces.append(i..<(i + length))
            i += length
        }
        return pieces
    }

    /// Length of the match at `i` (at least 1).
    private func match(_ s: [Unicode.Scalar], at i: Int) -> Int {
        let n = s.count
        func run(from start: Int, _ test: (Unicode.Scalar) -> Bool) -> Int {
            var j = start
            while j < n, test(s[j]) { j += 1 }
            return j - start
        }
        if let contraction = contraction(s, at: i, caseInsensitive: self != .gpt2) { return contraction }
        switch self {
        case .gpt2:
            let space = s[i] == " " && i + 1 < n ? 1 : 0
            let j = i + space
            if j < n {
                if s[j].isLetter { return space + run(from: j, \.isLetter) }
                if s[j].isNumber { return space + run(from: j, \.isNumber) }
                if !s[j].isSpace, !s[j].isLetter, !s[j].isNumber { return space + run(from: j) { !$0.isSpace && !$0.isLetter && !$0.isNumber } }
            }
        case .llama3, .qwen2:
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if s[i].isLetter { return run(from: i, \.isLetter) }
            if !s[i].isNewline, !s[i].isNumber, i + 1 < n, s[i + 1].isLetter { return 1 + run(from: i + 1, \.isLetter) }
            if s[i].isNumber { return self == .qwen2 ? 1 : min(3, run(from: i, \.isNumber)) }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            let space = s[i] == " " ? 1 : 0
            let j = i + space
            if j < n, !s[j].isSpace, !s[j].isLetter, !s[j].isNumber {
                let body = run(from: j) { !$0.isSpace && !$0.isLetter && !$0.isNumber }
                return space + body + run(from: j + body, \.isNewline)
            }
            // `\s*[\r\n]+`: up to the last line break of the whitespace run.
            let spaces = run(from: i, \.isSpace)
            if let last = (i..<(i + spaces)).last(where: { s[$0].isNewline }) { return last + 1 - i }
        }
        // `\s+(?!\S)|\s+`
        let spaces = run(from: i, \.isSpace)
        if spaces > 0 {
            if i + spaces == n || spaces == 1 { return spaces }
            return spaces - 1
        }
        return 1
    }

    private func contraction(_ s: [Unicode.Scalar], at i: Int, caseInsensitive: Bool) -> Int? {
        guard s[i] == "'", i + 1 < s.count else { return nil }
        func at(_ k: Int) -> Character? {
            guard i + k < s.count else { return nil }
            let c = Character(s[i + k])
            return caseInsensitive ? Character(c.lowercased()) : c
        }
        switch at(1) {
        case "s", "t", "m", "d": return 2
        case "r" where at(2) == "e", "v" where at(2) == "e", "l" where at(2) == "l": return 3
        default: return nil
        }
    }
}

extension Unicode.Scalar {
    var isLetter: Bool {
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    var isNumber: Bool {
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    var isSpace: Bool { properties.isWhitespace }
    var isNewline: Bool { self == "\r" || self == "\n" }
}
