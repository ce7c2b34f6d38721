import Foundation
import LightningCore
import LightningWire
import Logging
import Metrics
import ServiceLifecycle

/// Where and how the store listens on ZeroMQ.
public struct StoreServerConfiguration: Sendable {
    /// The ROUTER endpoint for requests.
    public var requestEndpoint = "tcp://0.0.0.0:5555"
    /// The PUB endpoint for events.
    public var eventEndpoint = "tcp://0.0.0.0:5556"
    /// CurveZMQ keys; `nil` runs in the clear.
    public var security: CurveServerSecurity?
    /// Larger requests get `message_too_large`; four times this much makes ZeroMQ drop the peer.
    public var maxMessageBytes = 64 << 20
    /// Requests handled at once; beyond this the server stops reading and ZeroMQ pushes back.
    public var maxInFlight = 4096
    /// How long a graceful shutdown waits for requests in flight.
    public var drainTimeout: Duration = .seconds(10)

    public init() {}
}

/// Serves the store API on a ZeroMQ ROUTER and publishes store events on a PUB socket.
/// Binds when created, so a taken port fails at start-up; on graceful shutdown it stops reading,
/// answers what is in flight, then closes.
public final class StoreServer: Service, Sendable {
    public let requestEndpoint: String
    public let eventEndpoint: String
    private let router: RouterServer
    private let publisher: EventPublisher
    private let zap: ZAPHandler?
    private let handler: RequestHandler
    private let events: EventBus
    private let configuration: StoreServerConfiguration
    private let logger: Logger
    private let metrics = ServerMetrics()
    private let releaseWaits: @Sendable () -> Void

    /// `releaseWaits` answers the long waits in flight (dequeues, waits for rollouts) at once when the
    /// server drains: their clients ask again, while a wait of minutes would hold the shutdown up.
    public init(
        context: ZMQContext, configuration: StoreServerConfiguration, handler: RequestHandler, events: EventBus, logger: Logger,
        releaseWaits: @escaping @Sendable () -> Void = {}
    ) throws {
        self.configuration = configuration
        self.releaseWaits = releaseWaits
        self.handler = handler
        self.events = events
        self.logger = logger
        if let security = configuration.security {
            zap = try ZAPHandler(context: context, allowedClientKeys: security.allowedClientKeys) { admitted, address in
                if !admitted { logger.warning("refused a CurveZMQ client whose key is not allowed", metadata: ["zmq.peer": "\(address)"]) }
            }
        } else {
            zap = nil
        }
        router = try RouterServer(
            context: context, endpoint: configuration.requestEndpoint, security: configuration.security,
            maxInFlight: configuration.maxInFlight, hardMessageLimit: Int64(configuration.maxMessageBytes) * 4
        )
        publisher = try EventPublisher(context: context, endpoint: configuration.eventEndpoint, security: configuration.security)
        requestEndpoint = router.localEndpoint
        eventEndpoint = publisher.localEndpoint
        if let security = configuration.security {
            let allowed = security.allowedClientKeys.isEmpty ? "any client that knows the server key" : "\(security.allowedClientKeys.count) allowed client keys"
            logger.info("CurveZMQ on: traffic is encrypted and clients authenticated", metadata: ["store.clients": "\(allowed)"])
        } else {
            logger.warning("CurveZMQ off: requests and events travel in the clear; run on a trusted network only")
        }
    }

    public func run() async throws {
        let publisher = self.publisher
        let subscription = events.subscribe { events, _ in
            let time = Date().timeIntervalSince1970
            for event in events {
                guard let payload = try? Lightning_V1_Event(event, time: time).encodedBytes() else { continue }
                publisher.publish(topic: event.topic, payload: payload)
            }
        }
        defer { events.unsubscribe(subscription) }
        logger.info("serving requests", metadata: ["store.requests": "\(requestEndpoint)", "store.events": "\(eventEndpoint)"])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.drainOnGracefulShutdown() }
            for await request in router.incoming {
                group.addTask { await self.serve(request) }
            }
        }
        publisher.stop()
        zap?.stop()
    }

    private func serve(_ request: IncomingRequest) async {
        let start = ContinuousClock.now
        let reply: [UInt8]
        if let reason = request.malformedReason {
            reply = (try? Lightning_V1_Response.failure(LightningError(.malformedMessage, reason), requestID: 0).encodedBytes()) ?? []
        } else {
            reply = await handler.handle(request.payload)
        }
        router.reply(to: request, payload: reply)
        metrics.record(duration: ContinuousClock.now - start)
    }

    /// Waits for graceful shutdown, stops reading, waits for the requests in flight, and closes.
    private func drainOnGracefulShutdown() async {
        try? await gracefulShutdown()
        router.pauseReceiving()
        releaseWaits()
        logger.info("draining requests in flight", metadata: ["store.in_flight": "\(router.outstanding)"])
        let deadline = ContinuousClock.now.advanced(by: configuration.drainTimeout)
        while router.outstanding > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        router.stop()
    }
}

/// Request counters and latency, exported at `/metrics`.
struct ServerMetrics: Sendable {
    private let requests = Counter(label: "lightning_store_requests_total")
    private let latency = Metrics.Timer(label: "lightning_store_request_duration_seconds")

    func record(duration: Duration) {
        requests.increment()
        latency.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
