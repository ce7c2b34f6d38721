import LightningCore
import PostgresNIO

extension PostgresQuery {
    /// A statement and its parameters, bound in order as $1, $2, …
    init(_ sql: String, _ parameters: any PostgresThrowingDynamicTypeEncodable...) throws(LightningError) {
        self.init(unsafeSQL: sql, binds: try bindParameters(parameters))
    }
}
