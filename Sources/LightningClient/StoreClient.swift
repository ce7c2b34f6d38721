import LightningCore
import LightningWire
import Logging
import Synchronization

/// The typed client of the LightningStore over ZeroMQ. It implements `LightningStoreAPI`, retries calls
/// that fail for a passing reason (the store restarting, the database away) with back-off, and gives
/// creation calls client-chosen ids so that a retried call never creates twice.
public final class StoreClient: LightningStoreAPI, Sendable {
    public let configuration: StoreClientConfiguration
    let context: ZMQContext
    let dealer: DealerClient
    let logger: Logger
    private let nextRequestID: Atomic<UInt64>

    public init(configuration: StoreClientConfiguration, context: ZMQContext? = nil, logger: Logger = Logger(label: "lightning.client")) throws {
        guard !configuration.endpoints.isEmpty else { throw LightningError(.badRequest, "the store client needs at least one endpoint") }
        self.configuration = configuration
        self.context = try context ?? ZMQContext()
        self.logger = logger
        self.nextRequestID = Atomic(UInt64.random(in: 1...(1 << 40)))
        self.dealer = try DealerClient(
            context: self.context, endpoints: configuration.endpoints, security: configuration.security,
            maxInFlight: configuration.maxInFlight, requestID: WireProtocol.requestID(inResponse:)
        )
    }

    /// Fails what is in flight and closes the connection.
    public func close() {
        dealer.close()
    }

    /// Sends one call and returns its result, retrying passing failures within the retry budget.
    /// - Parameter extraTime: added to the request timeout, for calls that wait on the server.
    func call(_ call: Lightning_V1_Request.OneOf_Call, extraTime: Duration = .zero) async throws -> Lightning_V1_Response.OneOf_Result {
        let started = ContinuousClock.now
        var attempt = 0
        while true {
            do {
                return try await send(call, timeout: configuration.requestTimeout + extraTime)
            } catch let error as LightningError where error.code.isRetryable {
                attempt += 1
                let delay = configuration.retry.delay(attempt: attempt)
                guard ContinuousClock.now - started + delay < configuration.retry.budget else { throw error }
                logger.debug("retrying a store call", metadata: ["client.error": "\(error)", "client.attempt": "\(attempt)"])
                try await Task.sleep(for: delay)
            }
        }
    }

    private func send(_ call: Lightning_V1_Request.OneOf_Call, timeout: Duration) async throws -> Lightning_V1_Response.OneOf_Result {
        var request = Lightning_V1_Request()
        request.protocolVersion = WireProtocol.version
        request.requestID = nextRequestID.add(1, ordering: .relaxed).newValue
        request.call = call
        let reply = try await dealer.request(id: request.requestID, payload: try request.encodedBytes(), timeout: timeout)
        let response = try Lightning_V1_Response(decoding: reply)
        switch response.result {
        case .error(let error)?: throw error.core
        case let result?: return result
        case nil: throw LightningError(.malformedMessage, "the store answered without a result")
        }
    }
}

/// The result of a call did not have the expected kind: a protocol mismatch.
func unexpected(_ result: Lightning_V1_Response.OneOf_Result, for call: String) -> LightningError {
    LightningError(.malformedMessage, "the store answered \(call) with \(String(describing: result).prefix(80))")
}
