import CZeroMQ

/// Owns a libzmq context. The context is thread-safe, so one instance serves every socket of a process.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked: libzmq documents contexts as safe to use from any thread; the handle never changes.
    let handle: UnsafeMutableRawPointer

    public init(ioThreads: Int32 = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        self.handle = handle
    }

    deinit {
        // Every socket of this context closes itself (linger 0) before the context is released.
        zmq_ctx_term(handle)
    }

    /// The libzmq version, like `4.3.4`.
    public static var libraryVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
