import Foundation

/// One calc problem: `a op b` asked in words.
public struct CalcProblem: Sendable, Hashable, Codable {
    public enum Operator: String, Sendable, Hashable, Codable, CaseIterable {
        case plus = "+", minus = "-", times = "*"

        var word: String {
            switch self {
            case .plus: "plus"
            case .minus: "minus"
            case .times: "times"
            }
        }

        func apply(_ a: Int, _ b: Int) -> Int {
            switch self {
            case .plus: a + b
            case .minus: a - b
            case .times: a * b
            }
        }
    }

    public var a: Int
    public var op: Operator
    public var b: Int

    public var question: String { "What is \(a) \(op.word) \(b)?" }
    public var answer: Int { op.apply(a, b) }
    /// The tool call a correct agent makes.
    public var expression: String { "\(a)\(op.rawValue)\(b)" }

    /// One problem in ten is held back for validation, decided by the problem itself so that the two
    /// splits never share a problem.
    var split: TaskSplit {
        var hash: UInt64 = 1469598103934665603
        for byte in expression.utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
        return hash % 10 == 0 ? .validation : .train
    }

    static func random(using generator: inout SeededGenerator) -> CalcProblem {
        CalcProblem(a: Int.random(in: 2...99, using: &generator), op: Operator.allCases.randomElement(using: &generator)!,
                    b: Int.random(in: 2...99, using: &generator))
    }
}

/// The calculator tool: `calc <a><op><b>` with integers.
enum Calculator {
    /// The expression of a tool call (`calc 12*7` → `12*7`), or `nil` when the reply is not one.
    static func toolCall(in reply: String) -> String? {
        let trimmed = reply.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(["`"]))
        guard trimmed.hasPrefix("calc ") else { return nil }
        return String(trimmed.dropFirst(5))
    }

    /// The number a final reply gives: the whole reply (plain style, as the GPT is taught), or the
    /// last integer in it (chat style: instruct models wrap the number in words, "The answer is 42.").
    static func answer(in reply: String, style: TaskChat.Style) -> Int? {
        let trimmed = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        guard style == .chat else { return Int(reply.trimmingCharacters(in: .whitespaces)) }
        var numbers: [Int] = [], current = ""
        for character in trimmed + " " {
            if character.isASCII, character.isNumber || (character == "-" && current.isEmpty) {
                current.append(character)
            } else {
                if let value = Int(current) { numbers.append(value) }
                current = ""
            }
        }
        return numbers.last
    }

    /// The value of `a op b`, or an error saying why the expression cannot be computed.
    static func evaluate(_ expression: String) throws -> Int {
        let text = expression.filter { !$0.isWhitespace }
        for op in CalcProblem.Operator.allCases {
            // The operator after the first character, so that a leading minus stays with `a`.
            guard let index = text.dropFirst().firstIndex(of: Character(op.rawValue)) else { continue }
            if let a = Int(text[..<index]), let b = Int(text[text.index(after: index)...]),
               a.magnitude < 1_000_000, b.magnitude < 1_000_000 {
                return op.apply(a, b)
            }
        }
        throw CalculatorError(message: "cannot compute '\(expression)': expected <integer><+|-|*><integer>")
    }
}

struct CalculatorError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension CalcProblem: SplitProblem {}
