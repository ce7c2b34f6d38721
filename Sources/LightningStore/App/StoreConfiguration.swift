import LightningWire

/// Everything `lightning-store` is configured with; each field has a `LIGHTNING_…` variable.
public struct StoreConfiguration: Sendable {
    /// `LIGHTNING_DATABASE_URL`
    public var databaseURL = "postgres://postgres@127.0.0.1:5432/lightning"
    /// `LIGHTNING_DATABASE_CONNECTIONS`
    public var databaseConnections = 16
    /// `LIGHTNING_DATABASE_TIMEOUT` (seconds): a call fails with `unavailable` after this.
    public var databaseTimeout: Duration = .seconds(10)
    /// `LIGHTNING_STORE_ENDPOINT`, `LIGHTNING_EVENTS_ENDPOINT`, keys, limits.
    public var server = StoreServerConfiguration()
    /// `LIGHTNING_HTTP_HOST`, `LIGHTNING_HTTP_PORT`: health, metrics, OTLP.
    public var httpHost = "0.0.0.0"
    public var httpPort = 4318
    /// `LIGHTNING_API_KEY`: when set, OTLP exports must carry `Authorization: Bearer <key>`.
    public var apiKey: String?
    public var options = StoreOptions()

    public init() {}
}
