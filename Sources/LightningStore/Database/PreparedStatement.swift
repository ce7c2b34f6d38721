import LightningCore
import PostgresNIO

/// A hot statement that PostgreSQL parses once per connection and runs with one generic plan (see
/// `Database.hotClient`). Its SQL must be written so that one plan fits every call, whatever the
/// parameters' values (see the claim's `ANY` clause); re-planning on every call cost the claim 0.38 ms.
/// Conforming types hold the SQL as a static string and their bound parameters.
protocol PreparedStatement: PostgresPreparedStatement where Row == PostgresRow {
    var bindings: PostgresBindings { get }
}

extension PreparedStatement {
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    /// Binds parameters in order as $1, $2, …
    static func bind(_ parameters: any PostgresThrowingDynamicTypeEncodable...) throws(LightningError) -> PostgresBindings {
        try bindParameters(parameters)
    }
}

/// Parameters bound in order as $1, $2, …
func bindParameters(_ parameters: [any PostgresThrowingDynamicTypeEncodable]) throws(LightningError) -> PostgresBindings {
    var bindings = PostgresBindings(capacity: parameters.count)
    for parameter in parameters {
        do {
            try bindings.append(parameter)
        } catch {
            throw LightningError(.internal, "cannot encode a query parameter: \(error)")
        }
    }
    return bindings
}

extension Database {
    /// Runs a prepared statement on a pooled connection within the deadline; rows are collected.
    func execute<Statement: PreparedStatement>(_ operation: String, _ statement: Statement) async throws(LightningError) -> [PostgresRow] {
        try await withConnection(operation, hot: true) { [logger] connection in
            var rows: [PostgresRow] = []
            for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
    }
}
