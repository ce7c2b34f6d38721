import LightningCore

/// Coalesces concurrent calls into batches: while a batch is being written, new items wait, and the next
/// free worker takes all of them at once. Under light load a batch holds one item and adds no delay;
/// under heavy load batches grow, and one statement and one commit serve many requests.
///
/// `run()` hosts the workers; items submitted after it stops fail with `unavailable`.
final class Batcher<Item: Sendable, Output: Sendable>: Sendable {
    typealias Execute = @Sendable ([Item]) async -> [Result<Output, LightningError>]

    private struct Entry {
        var item: Item
        var continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var queue: [Entry] = []
        var idleWorkers: [CheckedContinuation<Bool, Never>] = []
        var stopHandler: CheckedContinuation<Void, Never>?
        var stopped = false
    }

    let name: String
    private let maxBatch: Int
    private let workers: Int
    private let execute: Execute
    private let state = Locked(State())

    init(name: String, maxBatch: Int, workers: Int, execute: @escaping Execute) {
        self.name = name
        self.maxBatch = maxBatch
        self.workers = workers
        self.execute = execute
    }

    func submit(_ item: Item) async throws(LightningError) -> Output {
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let (stopped, worker) = state.withLock { state -> (Bool, CheckedContinuation<Bool, Never>?) in
                    if state.stopped { return (true, nil) }
                    state.queue.append(Entry(item: item, continuation: continuation))
                    return (false, state.idleWorkers.popLast())
                }
                if stopped {
                    continuation.resume(throwing: LightningError(.unavailable, "the store is shutting down"))
                } else {
                    worker?.resume(returning: true)
                }
            }
        } catch let error as LightningError {
            throw error
        } catch {
            throw LightningError(.internal, "\(name): \(error)")
        }
    }

    /// Runs the workers until cancelled; then fails what is still queued.
    func run() async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<workers {
                group.addTask { await self.workerLoop() }
            }
            await withTaskCancellationHandler {
                // Park until cancellation: the workers do the work.
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    self.state.withLock { $0.stopHandler = continuation }
                    if Task.isCancelled { self.stop() }
                }
            } onCancel: {
                self.stop()
            }
        }
    }

    private func stop() {
        let (entries, idle, handler) = state.withLock { state in
            state.stopped = true
            defer {
                state.queue.removeAll()
                state.idleWorkers.removeAll()
                state.stopHandler = nil
            }
            return (state.queue, state.idleWorkers, state.stopHandler)
        }
        for entry in entries { entry.continuation.resume(throwing: LightningError(.unavailable, "the store is shutting down")) }
        for worker in idle { worker.resume(returning: false) }
        handler?.resume()
    }

    private func workerLoop() async {
        while true {
            let batch = state.withLock { state -> [Entry]? in
                if state.stopped { return nil }
                let count = min(maxBatch, state.queue.count)
                guard count > 0 else { return [] }
                defer { state.queue.removeFirst(count) }
                return Array(state.queue.prefix(count))
            }
            guard let batch else { return }
            if batch.isEmpty {
                let keepGoing = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                    let resumeNow = state.withLock { state -> Bool? in
                        if state.stopped { return false }
                        if !state.queue.isEmpty { return true }
                        state.idleWorkers.append(continuation)
                        return nil
                    }
                    if let resumeNow { continuation.resume(returning: resumeNow) }
                }
                if !keepGoing { return }
                continue
            }
            let results = await execute(batch.map(\.item))
            for (entry, result) in zip(batch, results) {
                entry.continuation.resume(with: result.mapError { $0 as any Error })
            }
            if results.count < batch.count {
                for entry in batch[results.count...] {
                    entry.continuation.resume(throwing: LightningError(.internal, "\(name) returned too few results"))
                }
            }
        }
    }
}
