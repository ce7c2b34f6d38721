import CSQLite

/// A private in-memory SQLite database: the sql task's only view of `CSQLite`. After `lockDown()` it
/// runs model-written queries safely: reads only (no ATTACH, no writes, no PRAGMA), one statement, a
/// bounded amount of work and of rows.
///
/// Not `Sendable`: one agent run creates, uses and closes it on its own.
final class SQLiteDatabase {
    private let handle: OpaquePointer
    /// Most rows a query may return; a larger result is an error, not a silent cut.
    static let maxRows = 64

    init() throws(SQLError) {
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(":memory:", &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY, nil)
        guard code == SQLITE_OK, let handle else {
            if let handle { sqlite3_close(handle) }
            throw SQLError(message: "cannot open an in-memory database (SQLite code \(code))")
        }
        self.handle = handle
    }

    deinit {
        sqlite3_close(handle)
    }

    /// Runs one statement with `values` bound as text to its `?` parameters; returns its rows, each
    /// value as SQLite's text rendering (NULL as `NULL`).
    @discardableResult
    func run(_ sql: String, _ values: [String] = []) throws(SQLError) -> [[String]] {
        var statement: OpaquePointer?
        var rest = ""
        let code = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v2(handle, text, -1, &statement, &tail)
            // The tail points into this buffer: read it before the buffer goes away.
            if let tail { rest = String(cString: tail) }
            return code
        }
        guard code == SQLITE_OK else { throw error() }
        guard let statement else { throw SQLError(message: "empty query") }
        defer { sqlite3_finalize(statement) }
        guard rest.allSatisfy({ $0.isWhitespace || $0 == ";" }) else {
            throw SQLError(message: "only one statement is allowed")
        }
        for (index, value) in values.enumerated() {
            sqlite3_bind_text(statement, Int32(index + 1), value, -1, csqlite_transient())
        }
        var rows: [[String]] = []
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                guard rows.count < Self.maxRows else { throw SQLError(message: "more than \(Self.maxRows) rows") }
                rows.append((0..<sqlite3_column_count(statement)).map { column in
                    sqlite3_column_text(statement, column).map { String(cString: $0) } ?? "NULL"
                })
            case SQLITE_DONE:
                return rows
            default:
                throw error()
            }
        }
    }

    /// From now on only reads are authorised, and a query that runs more than about a million virtual
    /// machine steps is interrupted (a cross join of the table with itself eight times would not end).
    func lockDown() {
        sqlite3_set_authorizer(handle, { _, action, _, _, _, _ in
            action == SQLITE_SELECT || action == SQLITE_READ || action == SQLITE_FUNCTION ? SQLITE_OK : SQLITE_DENY
        }, nil)
        sqlite3_progress_handler(handle, 1_000_000, { _ in 1 }, nil)
    }

    private func error() -> SQLError {
        SQLError(message: String(cString: sqlite3_errmsg(handle)))
    }
}

/// A query that SQLite refused or could not finish, with SQLite's own message (`no such column: nme`).
struct SQLError: Error, Hashable, CustomStringConvertible {
    let message: String
    var description: String { message }
}
