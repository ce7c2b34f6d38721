import CZeroMQ

/// The socket types the system uses.
public enum ZMQSocketType: Sendable {
    case router, dealer, pub, sub, rep, req, pair

    var rawValue: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .rep: ZMQ_REP
        case .req: ZMQ_REQ
        case .pair: ZMQ_PAIR
        }
    }
}

/// Owns one libzmq socket. A socket belongs to the thread that uses it, so this type is not `Sendable`:
/// create it on the thread of its loop and close it there.
public final class ZMQSocket {
    private var handle: UnsafeMutableRawPointer?
    private let context: ZMQContext

    public init(context: ZMQContext, type: ZMQSocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else { throw ZMQError.last("zmq_socket") }
        self.handle = handle
        self.context = context
        try setOption(ZMQ_LINGER, Int32(0))
    }

    deinit { close() }

    /// Closes the socket at once, discarding unsent messages (linger 0).
    public func close() {
        guard let handle else { return }
        zmq_close(handle)
        self.handle = nil
    }

    var raw: UnsafeMutableRawPointer? { handle }

    public func setOption(_ option: Int32, _ value: Int32) throws(ZMQError) {
        var value = value
        try zmqCheck(zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size), "zmq_setsockopt(\(option))")
    }

    public func setOption(_ option: Int32, _ value: Int64) throws(ZMQError) {
        var value = value
        try zmqCheck(zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size), "zmq_setsockopt(\(option))")
    }

    public func setOption(_ option: Int32, bytes: [UInt8]) throws(ZMQError) {
        let result = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        try zmqCheck(result, "zmq_setsockopt(\(option))")
    }

    public func setOption(_ option: Int32, string: String) throws(ZMQError) {
        try setOption(option, bytes: Array(string.utf8))
    }

    public func bind(_ endpoint: String) throws(ZMQError) {
        try zmqCheck(zmq_bind(handle, endpoint), "zmq_bind(\(endpoint))")
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        try zmqCheck(zmq_connect(handle, endpoint), "zmq_connect(\(endpoint))")
    }

    /// The endpoint actually bound, useful after binding to port 0 or `*`.
    public func lastEndpoint() throws(ZMQError) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        try zmqCheck(zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size), "zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sends a multipart message without blocking. Returns `false` when the socket cannot take it now
    /// (high-water mark, or no peer yet); throws for other failures.
    public func send(_ frames: [[UInt8]]) throws(ZMQError) -> Bool {
        for (index, frame) in frames.enumerated() {
            let flags = ZMQ_DONTWAIT | (index < frames.count - 1 ? ZMQ_SNDMORE : 0)
            let result = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if result < 0 {
                let error = ZMQError.last("zmq_send")
                // libzmq queues a multipart message atomically: a later frame cannot fail with EAGAIN.
                if error.isWouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Waits up to `timeoutMilliseconds` for a message to arrive; blocks the calling thread, so call it
    /// only from a thread of the socket's own (never from Swift's cooperative pool).
    public func waitReadable(timeoutMilliseconds: Int) -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        return zmq_poll(&item, 1, timeoutMilliseconds) > 0 && item.revents & Int16(ZMQ_POLLIN) != 0
    }

    /// Receives one multipart message without blocking; `nil` when none is waiting.
    public func receive() throws(ZMQError) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            if zmq_msg_recv(&message, handle, frames.isEmpty ? ZMQ_DONTWAIT : 0) < 0 {
                let error = ZMQError.last("zmq_msg_recv")
                if error.isWouldBlock && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            if size == 0 {
                frames.append([])
            } else {
                let bytes = zmq_msg_data(&message)!.assumingMemoryBound(to: UInt8.self)
                frames.append(Array(UnsafeBufferPointer(start: bytes, count: size)))
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }
}
