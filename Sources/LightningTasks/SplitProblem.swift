/// A generated problem that knows its split (from a hash of its content, so the splits never overlap):
/// the one way every task draws its examples and its warm-up problems.
protocol SplitProblem {
    var split: TaskSplit { get }
    static func random(using generator: inout SeededGenerator) -> Self
}

extension SplitProblem {
    /// Example `index` of `split` of task `task`: the same problem in every process.
    static func example(_ index: Int, of split: TaskSplit, task: String) -> Self {
        var generator = SeededGenerator(salt: "\(task)/\(split.rawValue)", index: index)
        return random(in: split, using: &generator)
    }

    /// Draws until a problem of `split` comes up.
    static func random(in split: TaskSplit, using generator: inout SeededGenerator) -> Self {
        while true {
            let problem = random(using: &generator)
            if problem.split == split { return problem }
        }
    }
}
