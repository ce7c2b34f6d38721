import Dispatch
import LightningWire

/// A bare ZeroMQ socket for sending hand-made frames to the store. Its blocking calls run on a
/// dispatch queue of its own, never on Swift's cooperative pool.
final class RawSocket: @unchecked Sendable {
    // @unchecked: the socket is only touched on `queue`, which runs one block at a time.
    private let queue = DispatchQueue(label: "raw-socket")
    private var socket: ZMQSocket?

    init(context: ZMQContext, type: ZMQSocketType, endpoint: String, configure: @escaping @Sendable (ZMQSocket) throws -> Void = { _ in }) async throws {
        try await run { raw in
            let socket = try ZMQSocket(context: context, type: type)
            try configure(socket)
            try socket.connect(endpoint)
            raw.socket = socket
        }
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (RawSocket) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self) }) }
        }
    }

    /// Sends frames and waits up to `timeout` milliseconds for the reply frames.
    func exchange(_ frames: [[UInt8]], timeout: Int = 5000) async throws -> [[UInt8]]? {
        try await run { raw in
            guard let socket = raw.socket else { return nil }
            var sent = false
            for _ in 0..<timeout / 10 where !sent {
                sent = try socket.send(frames)
                if !sent { _ = socket.waitReadable(timeoutMilliseconds: 10) }
            }
            guard sent, socket.waitReadable(timeoutMilliseconds: timeout) else { return nil }
            return try socket.receive()
        }
    }

    func close() async {
        _ = try? await run { raw in
            raw.socket?.close()
            raw.socket = nil
        }
    }
}
