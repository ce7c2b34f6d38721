import LightningCore
import PostgresNIO

extension PostgresQuery {
    /// A statement and its parameters, bound in order as $1, $2, …
    init(_ sql: String, _ parameters: any PostgresThrowingDynamicTypeEncodable...) throws(LightningError) {
        var binds = PostgresBindings(capacity: parameters.count)
        for parameter in parameters {
            do {
                try binds.append(parameter)
            } catch {
                throw LightningError(.internal, "cannot encode a query parameter: \(error)")
            }
        }
        self.init(unsafeSQL: sql, binds: binds)
    }
}
