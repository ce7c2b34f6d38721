import LightningCore
import PostgresNIO

/// Turns PostgreSQL and connection failures into `LightningError`s, in this one place.
enum DatabaseError {
    /// SQLSTATEs after which the same transaction may simply be tried again.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let state = sqlState(error) else { return false }
        return state == "40001" || state == "40P01"
    }

    static func sqlState(_ error: any Error) -> String? {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] }
        if let error = error as? PostgresTransactionError {
            return (error.closureError ?? error.commitError ?? error.beginError).flatMap(sqlState)
        }
        return nil
    }

    static func map(_ error: any Error, operation: String) -> LightningError {
        if let error = error as? LightningError { return error }
        if error is CancellationError { return LightningError(.unavailable, "\(operation) was cancelled") }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError ?? error.commitError ?? error.beginError { return map(inner, operation: operation) }
        }
        guard let error = error as? PSQLError else {
            return LightningError(.unavailable, "the database failed during \(operation): \(error)")
        }
        guard error.code == .server, let info = error.serverInfo else {
            return LightningError(.unavailable, "the database is unreachable (\(operation)): \(describe(error.code))")
        }
        let state = info[.sqlState] ?? ""
        let message = info[.message] ?? "unknown error"
        switch state.prefix(2) {
        case "08", "57", "53": return LightningError(.unavailable, "the database is unavailable (\(operation)): \(message)")
        case "22": return LightningError(.badRequest, "the database refused a value (\(operation)): \(message)")
        case "23": return LightningError(.conflict, "\(operation) conflicts with stored data: \(message)")
        case "40": return LightningError(.unavailable, "\(operation) kept conflicting with concurrent writes; retry")
        default: return LightningError(.internal, "\(operation) failed in the database: \(message) (SQLSTATE \(state))")
        }
    }

    private static func describe(_ code: PSQLError.Code) -> String {
        switch code {
        case .connectionError: "cannot connect"
        case .serverClosedConnection: "the server closed the connection"
        case .clientClosedConnection, .poolClosed: "the connection pool is closed"
        case .queryCancelled: "the query was cancelled"
        default: "\(code)"
        }
    }
}
