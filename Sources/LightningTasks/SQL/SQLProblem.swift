/// One sql problem: a small table `p(name, age, city)` of people and a question about it. Questions and
/// queries are short because the model reads bytes and holds 128 of them: the schema is never shown,
/// the model learns it from the demonstrations.
public struct SQLProblem: Sendable, Hashable, Codable {
    public struct Person: Sendable, Hashable, Codable {
        public var name: String
        public var age: Int
        public var city: String
    }

    public enum Template: String, Sendable, Hashable, Codable, CaseIterable {
        case olderThan, oldestIn, youngestIn
    }

    public var template: Template
    /// The city of `oldestIn`/`youngestIn`, the age of `olderThan`.
    public var city: String
    public var age: Int
    public var people: [Person]

    public var question: String {
        switch template {
        case .olderThan: "Who is older than \(age)?"
        case .oldestIn: "Who is oldest in \(city)?"
        case .youngestIn: "Who is youngest in \(city)?"
        }
    }

    /// The query a correct agent writes; its result is the one to match.
    public var gold: String {
        switch template {
        case .olderThan: "select name from p where age>\(age)"
        case .oldestIn: "select name from p where city='\(city)' order by age desc limit 1"
        case .youngestIn: "select name from p where city='\(city)' order by age limit 1"
        }
    }

    /// The schema and rows, as statements with their values.
    static let schema = "create table p(name text, age int, city text)"
    static let insert = "insert into p values(?, ?, ?)"

    static let names = ["Ann", "Bob", "Cal", "Dan", "Eve", "Fay", "Gil", "Hal", "Ivy", "Jon",
                        "Kim", "Lea", "Max", "Ned", "Oli", "Pam", "Rex", "Sue", "Tom", "Uma"]
    static let cities = ["Oslo", "Rome", "Lima", "Kyiv"]

    /// One problem in ten is held back for validation, decided by the problem itself (question and
    /// table) so that the two splits never share a problem.
    var split: TaskSplit {
        var hash: UInt64 = 1469598103934665603
        let key = question + people.map { "|\($0.name),\($0.age),\($0.city)" }.joined()
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
        return hash % 10 == 0 ? .validation : .train
    }

    /// Ten people with distinct ages (so oldest and youngest are unique); the city asked about holds
    /// at least two of them, so that its youngest is never its oldest.
    static func random(using generator: inout SeededGenerator) -> SQLProblem {
        let names = Self.names.shuffled(using: &generator).prefix(10)
        let ages = Array(18...80).shuffled(using: &generator).prefix(10)
        let people = zip(names, ages).map { name, age in
            Person(name: name, age: age, city: cities.randomElement(using: &generator)!)
        }
        let template = Template.allCases.randomElement(using: &generator)!
        let crowded = cities.filter { city in people.count { $0.city == city } >= 2 }
        return SQLProblem(template: template, city: crowded.randomElement(using: &generator) ?? people[0].city,
                          age: Int.random(in: 25...70, using: &generator), people: people)
    }
}

extension SQLProblem: SplitProblem {}
