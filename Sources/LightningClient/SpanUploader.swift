import LightningCore
import Logging

/// Buffers spans and sends them to the store in batches from one background loop. A batch that fails is
/// sent again until the store takes it (spans are idempotent, so a resend after a lost reply is
/// harmless): a store restart delays spans, it does not lose them. The buffer is bounded; `add` waits
/// when it is full.
public final class SpanUploader: Sendable {
    private struct State {
        var buffer: [Span] = []
        /// Spans ever added / ever settled (stored, duplicate or rejected), for `flush()`.
        var added = 0
        var settled = 0
        var rejected = 0
        var flushWaiters: [(id: UInt64, target: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var spaceWaiters: [CheckedContinuation<Void, Never>] = []
        var wake: CheckedContinuation<Void, Never>?
    }

    private let store: any LightningStoreAPI
    private let maxBatch: Int
    private let capacity: Int
    private let logger: Logger
    private let state = Locked(State())

    public init(store: any LightningStoreAPI, maxBatch: Int = 512, capacity: Int = 100_000, logger: Logger = Logger(label: "lightning.spans")) {
        self.store = store
        self.maxBatch = maxBatch
        self.capacity = capacity
        self.logger = logger
    }

    /// Queues spans for sending; waits while the buffer is full.
    public func add(_ spans: [Span]) async {
        guard !spans.isEmpty else { return }
        while true {
            let full = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let (accepted, wake) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                    guard state.buffer.count < capacity else { return (false, nil) }
                    state.buffer.append(contentsOf: spans)
                    state.added += spans.count
                    defer { state.wake = nil }
                    return (true, state.wake)
                }
                wake?.resume()
                continuation.resume(returning: !accepted)
            }
            if !full { return }
            await withCheckedContinuation { continuation in
                let roomNow = state.withLock { state -> Bool in
                    if state.buffer.count < capacity { return true }
                    state.spaceWaiters.append(continuation)
                    return false
                }
                if roomNow { continuation.resume() }
            }
        }
    }

    /// Waits until every span added before this call has been stored (or rejected by the store), or
    /// until the calling task is cancelled.
    public func flush() async {
        let id = Identifier.random64()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let (done, wake) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                    if state.settled >= state.added || Task.isCancelled { return (true, nil) }
                    state.flushWaiters.append((id, state.added, continuation))
                    defer { state.wake = nil }
                    return (false, state.wake)
                }
                wake?.resume()
                if done { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let index = state.flushWaiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.flushWaiters.remove(at: index).continuation
            }
            waiter?.resume()
        }
    }

    /// Spans the store refused (unknown rollout, invalid); they are not sent again.
    public var rejectedCount: Int { state.withLock { $0.rejected } }

    /// Spans waiting to be sent.
    public var pendingCount: Int { state.withLock { $0.buffer.count } }

    /// Sends batches until cancelled.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            let batch = state.withLock { Array($0.buffer.prefix(maxBatch)) }
            if batch.isEmpty {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let ready = state.withLock { state -> Bool in
                            if !state.buffer.isEmpty || Task.isCancelled { return true }
                            state.wake = continuation
                            return false
                        }
                        if ready { continuation.resume() }
                    }
                } onCancel: {
                    state.withLock { state in defer { state.wake = nil }; return state.wake }?.resume()
                }
                continue
            }
            do {
                let result = try await store.addSpans(batch)
                failures = 0
                for rejected in result.rejected {
                    logger.warning("the store refused a span", metadata: ["client.span": "\(batch[rejected.index].name)", "client.error": "\(rejected.error)"])
                }
                settle(batch.count, rejected: result.rejected.count)
            } catch let error as LightningError where !error.code.isRetryable && error.code != .internal {
                logger.error("the store refused a span batch; dropping it", metadata: ["client.error": "\(error)"])
                settle(batch.count, rejected: batch.count)
            } catch {
                failures += 1
                logger.warning("span upload failed; will resend", metadata: ["client.error": "\(error)", "client.pending": "\(pendingCount)"])
                try? await Task.sleep(for: RetryPolicy().delay(attempt: failures))
            }
        }
    }

    private func settle(_ count: Int, rejected: Int) {
        let (flushed, room) = state.withLock { state -> ([CheckedContinuation<Void, Never>], [CheckedContinuation<Void, Never>]) in
            state.buffer.removeFirst(count)
            state.settled += count
            state.rejected += rejected
            let settled = state.settled
            let flushed = state.flushWaiters.filter { $0.target <= settled }.map(\.continuation)
            state.flushWaiters.removeAll { $0.target <= settled }
            let room = state.buffer.count < capacity ? state.spaceWaiters : []
            if !room.isEmpty { state.spaceWaiters.removeAll() }
            return (flushed, room)
        }
        flushed.forEach { $0.resume() }
        room.forEach { $0.resume() }
    }
}
