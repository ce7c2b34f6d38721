extension SQLProblem {
    /// A fresh in-memory database holding the problem's table, locked down for model-written queries.
    func database() throws(SQLError) -> SQLiteDatabase {
        try Self.database(people)
    }

    static func database(_ people: [Person]) throws(SQLError) -> SQLiteDatabase {
        let database = try SQLiteDatabase()
        try database.run(schema)
        for person in people {
            try database.run(insert, [person.name, String(person.age), person.city])
        }
        database.lockDown()
        return database
    }

    /// Execution match: the same rows in any order (the gold queries fix the order only where it
    /// decides which row `limit 1` keeps, and that row is then the whole result).
    static func sameResult(_ rows: [[String]], _ expected: [[String]]) -> Bool {
        rows.map { $0.joined(separator: "\u{1F}") }.sorted() == expected.map { $0.joined(separator: "\u{1F}") }.sorted()
    }

    /// What the checker tells the model about a failed query: SQLite's message, cut to fit the context
    /// (the question, this message and a rewritten query must fit in the model's 128 tokens).
    static func feedback(_ error: SQLError) -> String {
        String(error.message.prefix(30))
    }
}
