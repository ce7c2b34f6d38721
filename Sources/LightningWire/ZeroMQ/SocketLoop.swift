import CZeroMQ
import Dispatch
import Foundation
import LightningCore

/// Runs one ZeroMQ socket on a thread of its own, so blocking `zmq_poll` never occupies Swift's
/// cooperative pool. Other threads hand it messages through a locked outbox and an eventfd wake-up;
/// received messages are passed to a callback on the loop thread, which must return quickly.
final class SocketLoop: Sendable {
    /// A message waiting to be sent; dropped unsent once its deadline passes.
    struct Outgoing: Sendable {
        var frames: [[UInt8]]
        var deadline: ContinuousClock.Instant?
    }

    struct Callbacks: Sendable {
        /// Called on the loop thread with every received multipart message.
        var onMessage: @Sendable ([[UInt8]]) -> Void
        /// Called on the loop thread at least every `tickInterval` while the loop runs.
        var onTick: (@Sendable (ContinuousClock.Instant) -> Void)?
        /// Called on the loop thread when a send fails for a reason other than back-pressure.
        var onSendError: (@Sendable (ZMQError) -> Void)?

        init(
            onMessage: @escaping @Sendable ([[UInt8]]) -> Void,
            onTick: (@Sendable (ContinuousClock.Instant) -> Void)? = nil,
            onSendError: (@Sendable (ZMQError) -> Void)? = nil
        ) {
            self.onMessage = onMessage
            self.onTick = onTick
            self.onSendError = onSendError
        }
    }

    private struct State {
        var outbox: [Outgoing] = []
        var receivingPaused = false
        var started = false
        var stopping = false
        /// The loop is (about to be) blocked in zmq_poll and needs the eventfd to notice new work.
        var sleeping = false
    }

    private let name: String
    private let state = Locked(State())
    private let wakeup: Wakeup
    private let finished = DispatchSemaphore(value: 0)
    private let tickInterval: Duration?

    init(name: String, tickInterval: Duration? = nil) throws(ZMQError) {
        self.name = name
        self.tickInterval = tickInterval
        self.wakeup = try Wakeup()
    }

    /// Creates the socket on a new thread with `makeSocket` and starts the loop; throws if the socket
    /// could not be made (bad endpoint, port in use, …). Call once.
    func start(makeSocket: @escaping @Sendable () throws -> ZMQSocket, callbacks: Callbacks) throws {
        state.withLock { $0.started = true }
        let started = StartupResult()
        let thread = Thread { [wakeup, state, finished, tickInterval] in
            defer { finished.signal() }
            let socket: ZMQSocket
            do {
                socket = try makeSocket()
            } catch {
                started.fail(error)
                return
            }
            started.succeed()
            Self.run(socket: socket, wakeup: wakeup, state: state, tickInterval: tickInterval, callbacks: callbacks)
            socket.close()
        }
        thread.name = name
        thread.start()
        try started.wait()
    }

    /// Queues a message for sending; safe from any thread.
    func send(_ frames: [[UInt8]], deadline: ContinuousClock.Instant? = nil) {
        let wake = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.outbox.append(Outgoing(frames: frames, deadline: deadline))
            // A busy loop picks the message up on its next turn; only a sleeping one needs the system call.
            defer { state.sleeping = false }
            return state.sleeping
        }
        if wake { wakeup.signal() }
    }

    /// Stops or resumes reading from the socket: the server's back-pressure when too much is in flight.
    func setReceivingPaused(_ paused: Bool) {
        let changed = state.withLock { state -> Bool in
            defer {
                state.receivingPaused = paused
                state.sleeping = false
            }
            return state.receivingPaused != paused
        }
        if changed { wakeup.signal() }
    }

    /// Sends what is queued, then closes the socket and ends the thread; waits for it.
    func stop() {
        let first = state.withLock { state -> Bool in
            defer {
                state.stopping = true
                state.sleeping = false
            }
            return state.started && !state.stopping
        }
        guard first else { return }
        wakeup.signal()
        finished.wait()
    }

    private static func run(
        socket: ZMQSocket, wakeup: Wakeup, state: Locked<State>, tickInterval: Duration?, callbacks: Callbacks
    ) {
        var pending: [Outgoing] = []
        var pendingIndex = 0
        let clock = ContinuousClock()
        var nextTick = tickInterval.map { clock.now.advanced(by: $0) }
        let timeoutMilliseconds: Int = tickInterval.map { max(1, Int($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000)) } ?? -1

        while true {
            let (incoming, paused, stopping) = state.withLock { state in
                defer { state.outbox.removeAll(keepingCapacity: true) }
                return (state.outbox, state.receivingPaused, state.stopping)
            }
            pending.append(contentsOf: incoming)

            // Send what the socket takes now; keep the rest for when it signals POLLOUT.
            let now = clock.now
            while pendingIndex < pending.count {
                let message = pending[pendingIndex]
                if let deadline = message.deadline, deadline < now {
                    pendingIndex += 1
                    continue
                }
                do {
                    guard try socket.send(message.frames) else { break }
                } catch {
                    callbacks.onSendError?(error)
                }
                pendingIndex += 1
            }
            if pendingIndex == pending.count {
                pending.removeAll(keepingCapacity: true)
                pendingIndex = 0
            } else if pendingIndex > 1024 {
                pending.removeFirst(pendingIndex)
                pendingIndex = 0
            }
            if stopping { return }

            var events: Int16 = 0
            if !paused { events |= Int16(ZMQ_POLLIN) }
            if pendingIndex < pending.count { events |= Int16(ZMQ_POLLOUT) }
            var items = [
                zmq_pollitem_t(socket: socket.raw, fd: 0, events: events, revents: 0),
                zmq_pollitem_t(socket: nil, fd: wakeup.descriptor, events: Int16(ZMQ_POLLIN), revents: 0),
            ]
            // Announce the sleep, unless work arrived meanwhile: then go round again without sleeping.
            let idle = state.withLock { state -> Bool in
                guard state.outbox.isEmpty, !state.stopping, state.receivingPaused == paused else { return false }
                state.sleeping = true
                return true
            }
            let ready = zmq_poll(&items, 2, idle ? timeoutMilliseconds : 0)
            state.withLock { $0.sleeping = false }
            if ready < 0 {
                let error = ZMQError.last("zmq_poll")
                if error.isInterrupted { continue }
                // The context is terminating: nothing more can be done on this socket.
                return
            }
            if items[1].revents & Int16(ZMQ_POLLIN) != 0 { wakeup.drain() }
            if items[0].revents & Int16(ZMQ_POLLIN) != 0 {
                // Drain a bounded number so that sending is never starved by a flood of requests.
                for _ in 0..<512 {
                    guard let frames = try? socket.receive() else { break }
                    callbacks.onMessage(frames)
                    if state.withLock({ $0.receivingPaused }) { break }
                }
            }
            if let interval = tickInterval, let due = nextTick, clock.now >= due {
                callbacks.onTick?(clock.now)
                nextTick = clock.now.advanced(by: interval)
            }
        }
    }
}

/// Hands the outcome of socket creation from the loop thread back to the thread that started it.
private final class StartupResult: @unchecked Sendable {
    // @unchecked: `error` is written once before `semaphore.signal()` and read after `wait()`.
    private let semaphore = DispatchSemaphore(value: 0)
    private var error: (any Error)?

    func succeed() { semaphore.signal() }

    func fail(_ error: any Error) {
        self.error = error
        semaphore.signal()
    }

    func wait() throws {
        semaphore.wait()
        if let error { throw error }
    }
}
