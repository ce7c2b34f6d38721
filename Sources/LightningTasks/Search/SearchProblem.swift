/// One search problem: a made-up world of a few documents and a question about it that takes one or
/// two searches. The world changes with every problem, so answers come from the documents, never from
/// the model's memory.
///
///     Rido lives in Tib.     (a person's town)
///     Tib is in Pan.         (a town's land)
///     Pan is ruled by Zuvo.  (a land's ruler)
public struct SearchProblem: Sendable, Hashable, Codable {
    public enum Relation: String, Sendable, Hashable, Codable, CaseIterable {
        /// Where does <person> live? One search: the person.
        case town
        /// What land is <person> in? Two searches: the person, then their town.
        case land
        /// Who rules the land of <town>? Two searches: the town, then its land.
        case ruler
    }

    public var relation: Relation
    public var documents: [String]
    /// The entity the question names, the one found by the first search, and the answer.
    public var subject: String
    public var bridge: String
    public var answer: String

    public var question: String {
        switch relation {
        case .town: "Where does \(subject) live?"
        case .land: "What land is \(subject) in?"
        case .ruler: "Who rules the land of \(subject)?"
        }
    }

    /// The keywords a correct agent searches, in order.
    public var searches: [String] {
        relation == .town ? [subject] : [subject, bridge]
    }

    /// One problem in ten is held back for validation, decided by the problem itself.
    var split: TaskSplit {
        var hash: UInt64 = 1469598103934665603
        for byte in (question + documents.joined(separator: "|")).utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
        return hash % 10 == 0 ? .validation : .train
    }

    /// Three people, three towns and three lands with rulers, linked at random, in shuffled order.
    static func random(using generator: inout SeededGenerator) -> SearchProblem {
        var used = Set<String>()
        func names(_ count: Int) -> [String] {
            (0..<count).map { _ in
                var name = word(using: &generator)
                while used.contains(name) { name = word(using: &generator) }
                used.insert(name)
                return name
            }
        }
        let people = names(3), towns = names(3), lands = names(3), rulers = names(3)
        let home = people.map { _ in towns.randomElement(using: &generator)! }
        let region = towns.map { _ in lands.randomElement(using: &generator)! }
        var documents = zip(people, home).map { "\($0) lives in \($1)." }
        documents += zip(towns, region).map { "\($0) is in \($1)." }
        documents += zip(lands, rulers).map { "\($0) is ruled by \($1)." }
        let relation = Relation.allCases.randomElement(using: &generator)!
        let person = Int.random(in: 0..<3, using: &generator)
        let town = towns.firstIndex(of: home[person])!
        let (subject, bridge, answer) = switch relation {
        case .town: (people[person], home[person], home[person])
        case .land: (people[person], home[person], region[town])
        case .ruler: (towns[town], region[town], rulers[lands.firstIndex(of: region[town])!])
        }
        return SearchProblem(relation: relation, documents: documents.shuffled(using: &generator),
                             subject: subject, bridge: bridge, answer: answer)
    }

    /// A pronounceable made-up name of three or four letters (`Tib`, `Zuvo`).
    private static func word(using generator: inout SeededGenerator) -> String {
        let consonants = Array("bdfgklmnprstvz"), vowels = Array("aeiou")
        var letters = [consonants.randomElement(using: &generator)!, vowels.randomElement(using: &generator)!,
                       consonants.randomElement(using: &generator)!]
        if Bool.random(using: &generator) { letters.append(vowels.randomElement(using: &generator)!) }
        return String(letters).capitalized
    }
}

extension SearchProblem: SplitProblem {}
