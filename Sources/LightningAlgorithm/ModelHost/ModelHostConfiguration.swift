import LightningModel

/// Settings of the model host's HTTP API.
public struct ModelHostConfiguration: Sendable, Hashable {
    /// Address to listen on.
    public var host: String
    /// Port to listen on (0 picks a free one; see `ModelHost.listeningPort()`).
    public var port: Int
    /// The model name clients must send and `/v1/models` lists.
    public var modelName: String
    /// When set, every API request needs `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    /// Largest accepted request body.
    public var maxRequestBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 8000, modelName: String = "lightning-s", apiKey: String? = nil,
                maxRequestBytes: Int = 8 << 20) {
        self.host = host
        self.port = port
        self.modelName = modelName
        self.apiKey = apiKey
        self.maxRequestBytes = maxRequestBytes
    }

    /// The default model name of a model shape: `lightning-s` for `S`, `lightning-m` for `M`, else
    /// `lightning-L<layers>-C<width>`.
    public static func defaultModelName(for config: ModelConfig) -> String {
        switch config {
        case .small: "lightning-s"
        case .medium: "lightning-m"
        default: "lightning-L\(config.layers)-C\(config.width)"
        }
    }
}
