import LightningWire

/// Where the store is and how to talk to it.
public struct StoreClientConfiguration: Sendable {
    /// Request endpoints (ROUTER sockets of store replicas); requests are spread over them.
    public var endpoints: [String]
    /// Event endpoints (PUB sockets); by default the request endpoints with the port plus one.
    public var eventEndpoints: [String]
    public var security: CurveClientSecurity?
    /// How long one request may take before it counts as lost (waiting calls get their wait on top).
    public var requestTimeout: Duration
    public var retry: RetryPolicy
    /// Requests in flight at once from this client.
    public var maxInFlight: Int

    public init(
        endpoints: [String] = ["tcp://127.0.0.1:5555"], eventEndpoints: [String]? = nil, security: CurveClientSecurity? = nil,
        requestTimeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy(), maxInFlight: Int = 1024
    ) {
        self.endpoints = endpoints
        self.eventEndpoints = eventEndpoints ?? endpoints.map(Self.eventEndpoint(for:))
        self.security = security
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.maxInFlight = maxInFlight
    }

    /// `tcp://host:5555` → `tcp://host:5556`.
    static func eventEndpoint(for endpoint: String) -> String {
        guard let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]) else { return endpoint }
        return "\(endpoint[..<colon]):\(port + 1)"
    }
}
