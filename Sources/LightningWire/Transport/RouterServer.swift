import CZeroMQ
import LightningCore

/// A request received by a `RouterServer`: who sent it, and its payload frame.
public struct IncomingRequest: Sendable {
    /// The routing frames (peer identity, and the empty delimiter for REQ peers), returned with the reply.
    public let route: [[UInt8]]
    public let payload: [UInt8]
    /// Set when the frames do not form a request; the payload is then empty.
    public let malformedReason: String?
}

/// A ZeroMQ ROUTER that hands requests to async code and sends replies back to their peers.
/// At most `maxInFlight` requests are outstanding: beyond that it stops reading, and ZeroMQ's
/// high-water marks push back on the clients.
public final class RouterServer: Sendable {
    public let endpoint: String
    private let loop: SocketLoop
    private let inFlight = Locked(0)
    private let draining = Locked(false)
    private let maxInFlight: Int
    private let requests: AsyncStream<IncomingRequest>
    private let continuation: AsyncStream<IncomingRequest>.Continuation
    private let boundEndpoint: Locked<String>

    /// Binds at once; throws when the endpoint cannot be bound. With `security`, a `ZAPHandler` must
    /// already run in `context`.
    public init(
        context: ZMQContext, endpoint: String, security: CurveServerSecurity?, maxInFlight: Int = 4096,
        hardMessageLimit: Int64
    ) throws {
        self.endpoint = endpoint
        self.maxInFlight = maxInFlight
        (requests, continuation) = AsyncStream.makeStream(of: IncomingRequest.self)
        let bound = Locked(endpoint)
        boundEndpoint = bound
        let loop = try SocketLoop(name: "lightning-router")
        self.loop = loop
        let continuation = self.continuation
        let inFlight = self.inFlight
        try loop.start(
            makeSocket: {
                let socket = try ZMQSocket(context: context, type: .router)
                try security?.apply(to: socket)
                try socket.setOption(ZMQ_MAXMSGSIZE, hardMessageLimit)
                try socket.setOption(ZMQ_SNDHWM, Int32(100_000))
                try socket.setOption(ZMQ_RCVHWM, Int32(100_000))
                try socket.bind(endpoint)
                let last = try socket.lastEndpoint()
                bound.withLock { $0 = last }
                return socket
            },
            callbacks: .init(onMessage: { [loop] frames in
                let count = inFlight.withLock { value -> Int in
                    value += 1
                    return value
                }
                if count >= maxInFlight { loop.setReceivingPaused(true) }
                continuation.yield(RouterServer.split(frames))
            })
        )
    }

    /// The endpoint the socket is bound to, with the real port when bound to port 0.
    public var localEndpoint: String { boundEndpoint.withLock { $0 } }

    /// Requests in arrival order; every one must be answered with `reply(to:payload:)`.
    public var incoming: AsyncStream<IncomingRequest> { requests }

    /// Sends a reply; safe from any thread. Unroutable replies (the peer left) are dropped by ZeroMQ.
    public func reply(to request: IncomingRequest, payload: [UInt8]) {
        loop.send(request.route + [payload])
        let count = inFlight.withLock { value -> Int in
            value -= 1
            return value
        }
        if count == maxInFlight - 1, !draining.withLock({ $0 }) { loop.setReceivingPaused(false) }
    }

    /// Requests received but not yet answered.
    public var outstanding: Int { inFlight.withLock { $0 } }

    /// Stops taking new requests (they wait in ZeroMQ's queues); replies still go out.
    public func pauseReceiving() {
        draining.withLock { $0 = true }
        loop.setReceivingPaused(true)
    }

    /// Closes the socket after sending the replies queued so far.
    public func stop() {
        continuation.finish()
        loop.stop()
    }

    /// ROUTER frames are [identity, payload] from a DEALER or [identity, "", payload] from a REQ.
    static func split(_ frames: [[UInt8]]) -> IncomingRequest {
        guard let identity = frames.first else {
            return IncomingRequest(route: [], payload: [], malformedReason: "empty message")
        }
        var rest = frames.dropFirst()
        var route = [identity]
        if rest.count >= 2, rest.first?.isEmpty == true {
            route.append([])
            rest = rest.dropFirst()
        }
        guard rest.count == 1, let payload = rest.first else {
            return IncomingRequest(
                route: route, payload: [],
                malformedReason: "expected one payload frame after the routing frames, got \(rest.count)"
            )
        }
        return IncomingRequest(route: route, payload: payload, malformedReason: nil)
    }
}
