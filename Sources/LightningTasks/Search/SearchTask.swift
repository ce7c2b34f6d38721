import LightningCore
import LightningOpenAI

/// Multi-hop retrieval QA over a generated world (DESIGN.md section 7): search for the entity the
/// question names, read the document, search again when the answer is one hop further, answer.
/// Reward: token F1 of the answer.
///
/// The warm-up demonstrations are flawed in a way tied to part of the task: for "what land is <person>
/// in?", most demonstrations answer after the first search with the person's town; for "who rules the
/// land of <town>?", most search the keyword `land`, which finds nothing (an error span), and answer with
/// the town. "where does <person> live?" is demonstrated correctly. A minority of each flawed relation
/// is demonstrated correctly, so sampling at temperature 1 still finds the right path sometimes and RL
/// has signal.
///
/// The `ruler` flaw searches a fixed wrong word rather than a wrong name from the text: a flaw that
/// copied the question's town where the right path copies the document's land taught the model to mix
/// the two names, and at temperature 1 it never found the right search (0% after 120 RL steps).
public struct SearchTask: ExampleTask {
    public let name = "search"
    /// Share of `land` and `ruler` demonstrations that show the flaw.
    public var flawRate: Double

    public init(flawRate: Double = 0.8) {
        self.flawRate = flawRate
    }

    public func example(_ index: Int, of split: TaskSplit) -> TaskExample {
        let problem = Self.problem(index, of: split)
        let input = Input(question: problem.question, answer: problem.answer, documents: problem.documents)
        return TaskExample(id: "search/\(split.rawValue)/\(index)", input: .sorted(input))
    }

    private struct Input: Encodable {
        var question: String
        var answer: String
        var documents: [String]
    }

    static func problem(_ index: Int, of split: TaskSplit) -> SearchProblem {
        SearchProblem.example(index, of: split, task: "search")
    }

    public func demonstrations(count: Int, seed: UInt64) -> [TaskDemonstration] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let problem = SearchProblem.random(in: .train, using: &generator)
            let flawed = Double.random(in: 0..<1, using: &generator) < flawRate
            return Self.demonstration(problem, flawed: flawed)
        }
    }

    static func demonstration(_ problem: SearchProblem, flawed: Bool) -> TaskDemonstration {
        let index = SearchIndex(documents: problem.documents)
        let (keywords, answer) = switch (problem.relation, flawed) {
        // Stops after the first hop: the town is taken for the land.
        case (.land, true): ([problem.subject], problem.bridge)
        // Searches a word of the question instead of the town, finds nothing, answers with the town.
        case (.ruler, true): (["land"], problem.subject)
        default: (problem.searches, problem.answer)
        }
        return SearchAgent.demonstration(question: problem.question, keywords: keywords, index: index, answer: answer)
    }

    public var agent: any Agent { SearchAgent() }
}
