import CZeroMQ
import Foundation
import LightningCore

/// A ZeroMQ DEALER that carries many requests at once and matches each reply to its request by id.
/// Requests wait for a connected peer (`ZMQ_IMMEDIATE`) and fail with `timeout` when no reply comes in
/// time; ZeroMQ reconnects by itself when the peer comes back. Connected to several endpoints, it
/// spreads requests over them.
public final class DealerClient: Sendable {
    private struct Pending {
        var continuation: CheckedContinuation<[UInt8], any Error>
        var deadline: ContinuousClock.Instant
    }

    private struct State {
        var pending: [UInt64: Pending] = [:]
        var closed = false
    }

    public let endpoints: [String]
    private let loop: SocketLoop
    private let state = Locked(State())
    private let permits: AsyncSemaphore

    /// - Parameter requestID: reads the request id out of a reply payload (the protocol's business).
    public init(
        context: ZMQContext, endpoints: [String], security: CurveClientSecurity?, maxInFlight: Int = 1024,
        requestID: @escaping @Sendable ([UInt8]) -> UInt64?
    ) throws {
        precondition(!endpoints.isEmpty, "a DealerClient needs at least one endpoint")
        self.endpoints = endpoints
        self.permits = AsyncSemaphore(permits: maxInFlight)
        let loop = try SocketLoop(name: "lightning-dealer", tickInterval: .milliseconds(10))
        self.loop = loop
        let state = self.state
        try loop.start(
            makeSocket: {
                let socket = try ZMQSocket(context: context, type: .dealer)
                try security?.apply(to: socket)
                try socket.setOption(ZMQ_IMMEDIATE, Int32(1))
                try socket.setOption(ZMQ_RECONNECT_IVL, Int32(100))
                try socket.setOption(ZMQ_RECONNECT_IVL_MAX, Int32(2000))
                try socket.setOption(ZMQ_SNDHWM, Int32(100_000))
                try socket.setOption(ZMQ_RCVHWM, Int32(100_000))
                try socket.setOption(ZMQ_TCP_KEEPALIVE, Int32(1))
                for endpoint in endpoints { try socket.connect(endpoint) }
                return socket
            },
            callbacks: .init(
                onMessage: { frames in
                    // A reply is one frame; anything else cannot be matched and is dropped.
                    guard frames.count == 1, let id = requestID(frames[0]) else { return }
                    let pending = state.withLock { $0.pending.removeValue(forKey: id) }
                    pending?.continuation.resume(returning: frames[0])
                },
                onTick: { now in
                    let expired = state.withLock { state -> [Pending] in
                        let ids = state.pending.compactMap { $0.value.deadline <= now ? $0.key : nil }
                        return ids.compactMap { state.pending.removeValue(forKey: $0) }
                    }
                    for pending in expired {
                        pending.continuation.resume(throwing: LightningError(.timeout, "no reply from \(endpoints.joined(separator: ", ")) in time"))
                    }
                }
            )
        )
    }

    /// Sends one request and waits for its reply, at most `timeout`.
    public func request(id: UInt64, payload: [UInt8], timeout: Duration) async throws -> [UInt8] {
        try await permits.acquire()
        defer { permits.release() }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
                let refusal = state.withLock { state -> LightningError? in
                    if state.closed { return LightningError(.unavailable, "the connection to the store is closed") }
                    state.pending[id] = Pending(continuation: continuation, deadline: deadline)
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                } else if Task.isCancelled {
                    // onCancel may have run before the request was registered; whoever removes it resumes it.
                    state.withLock { $0.pending.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
                } else {
                    loop.send([payload], deadline: deadline)
                }
            }
        } onCancel: {
            let pending = state.withLock { $0.pending.removeValue(forKey: id) }
            pending?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Fails every outstanding request and closes the socket.
    public func close() {
        let pending = state.withLock { state -> [Pending] in
            state.closed = true
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for entry in pending { entry.continuation.resume(throwing: LightningError(.unavailable, "the connection to the store was closed")) }
        loop.stop()
    }
}
