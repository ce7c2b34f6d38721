import CZeroMQ

/// A failed libzmq call: which operation, and the errno libzmq reported.
public struct ZMQError: Error, Sendable, Hashable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32

    /// The error of the libzmq call that just failed on this thread.
    static func last(_ operation: String) -> ZMQError {
        ZMQError(operation: operation, errno: zmq_errno())
    }

    public var isWouldBlock: Bool { errno == EAGAIN }
    public var isInterrupted: Bool { errno == EINTR }
    public var isHostUnreachable: Bool { errno == EHOSTUNREACH }

    public var description: String {
        "\(operation) failed: \(String(cString: zmq_strerror(errno))) (errno \(errno))"
    }
}

/// Turns a libzmq return code into a thrown error, in this one place.
@discardableResult
func zmqCheck(_ result: Int32, _ operation: @autoclosure () -> String) throws(ZMQError) -> Int32 {
    if result < 0 { throw ZMQError.last(operation()) }
    return result
}
