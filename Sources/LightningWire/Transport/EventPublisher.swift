import CZeroMQ
import LightningCore

/// A ZeroMQ PUB socket: each event is two frames, a topic and a payload. Subscribers that fall behind
/// lose events at the high-water mark rather than slowing the publisher.
public final class EventPublisher: Sendable {
    private let loop: SocketLoop
    private let boundEndpoint: Locked<String>

    /// Binds at once. With `security`, a `ZAPHandler` must already run in `context`.
    public init(context: ZMQContext, endpoint: String, security: CurveServerSecurity?) throws {
        let bound = Locked(endpoint)
        boundEndpoint = bound
        loop = try SocketLoop(name: "lightning-pub")
        try loop.start(
            makeSocket: {
                let socket = try ZMQSocket(context: context, type: .pub)
                try security?.apply(to: socket)
                try socket.setOption(ZMQ_SNDHWM, Int32(100_000))
                try socket.bind(endpoint)
                let last = try socket.lastEndpoint()
                bound.withLock { $0 = last }
                return socket
            },
            callbacks: .init(onMessage: { _ in })
        )
    }

    public var localEndpoint: String { boundEndpoint.withLock { $0 } }

    /// Queues an event; safe from any thread, never blocks.
    public func publish(topic: String, payload: [UInt8]) {
        loop.send([Array(topic.utf8), payload])
    }

    public func stop() {
        loop.stop()
    }
}

/// A ZeroMQ SUB socket connected to one or more publishers, delivering (topic, payload) pairs.
public final class EventSubscriber: Sendable {
    public struct Message: Sendable {
        public let topic: String
        public let payload: [UInt8]
    }

    private let loop: SocketLoop
    private let continuation: AsyncStream<Message>.Continuation
    /// Events in arrival order, until `stop()`.
    public let messages: AsyncStream<Message>

    /// Subscribes to every topic that starts with one of `topics` (all topics when empty).
    public init(context: ZMQContext, endpoints: [String], topics: [String], security: CurveClientSecurity?) throws {
        let (messages, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .bufferingNewest(100_000))
        self.messages = messages
        self.continuation = continuation
        loop = try SocketLoop(name: "lightning-sub")
        try loop.start(
            makeSocket: {
                let socket = try ZMQSocket(context: context, type: .sub)
                try security?.apply(to: socket)
                try socket.setOption(ZMQ_RCVHWM, Int32(100_000))
                try socket.setOption(ZMQ_RECONNECT_IVL, Int32(100))
                try socket.setOption(ZMQ_RECONNECT_IVL_MAX, Int32(2000))
                for topic in topics.isEmpty ? [""] : topics {
                    try socket.setOption(ZMQ_SUBSCRIBE, string: topic)
                }
                for endpoint in endpoints { try socket.connect(endpoint) }
                return socket
            },
            callbacks: .init(onMessage: { frames in
                guard frames.count == 2 else { return }
                continuation.yield(Message(topic: String(decoding: frames[0], as: UTF8.self), payload: frames[1]))
            })
        )
    }

    public func stop() {
        loop.stop()
        continuation.finish()
    }
}
