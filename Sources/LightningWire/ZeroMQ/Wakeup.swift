import CZeroMQ

/// An eventfd that another thread writes to wake a socket loop blocked in `zmq_poll`.
final class Wakeup: @unchecked Sendable {
    // @unchecked: the descriptor is immutable and eventfd reads and writes are atomic system calls.
    let descriptor: Int32

    init() throws(ZMQError) {
        let descriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard descriptor >= 0 else { throw ZMQError(operation: "eventfd", errno: czmq_errno()) }
        self.descriptor = descriptor
    }

    deinit { CZeroMQ.close(descriptor) }

    func signal() {
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    func drain() {
        var value: UInt64 = 0
        _ = read(descriptor, &value, 8)
    }
}
