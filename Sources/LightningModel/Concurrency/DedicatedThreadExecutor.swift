import Foundation

/// A serial executor backed by one dedicated thread, so an actor that owns a model runs its BLAS-heavy
/// methods off Swift's cooperative pool (which has one thread per core and must never block):
///
///     actor Trainer {
///         let executor = DedicatedThreadExecutor(name: "trainer")
///         nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
///         let model: TrainingModel
///         func step(...) throws -> Float { ... }   // runs on the "trainer" thread
///     }
///
/// Jobs run in submission order. The thread ends when the executor is released (an actor keeps its
/// executor alive, and queued jobs keep their actor alive).
public final class DedicatedThreadExecutor: SerialExecutor, Sendable {
    private let state: State

    /// Starts the thread (named `name` for debuggers and profilers).
    public init(name: String) {
        state = State()
        state.setExecutor(UnownedSerialExecutor(ordinary: self))
        let state = self.state
        Thread {
            ThreadName.set(name)
            state.loop()
        }.start()
    }

    deinit {
        state.stop()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        state.enqueue(UnownedJob(job))
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Whether the calling code runs on this executor's thread (for preconditions and tests).
    public var isCurrentThread: Bool { state.isCurrentThread }

    /// The queue shared with the thread. `@unchecked Sendable`: every stored property is only touched
    /// while holding `condition`.
    private final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private var queue: [UnownedJob] = []
        private var stopping = false
        private var executor: UnownedSerialExecutor?
        private var thread: pthread_t?

        var isCurrentThread: Bool {
            condition.lock()
            defer { condition.unlock() }
            guard let thread else { return false }
            return pthread_equal(thread, pthread_self()) != 0
        }

        func setExecutor(_ executor: UnownedSerialExecutor) {
            condition.lock()
            self.executor = executor
            condition.unlock()
        }

        func enqueue(_ job: UnownedJob) {
            condition.lock()
            queue.append(job)
            condition.signal()
            condition.unlock()
        }

        func stop() {
            condition.lock()
            stopping = true
            condition.signal()
            condition.unlock()
        }

        func loop() {
            condition.lock()
            thread = pthread_self()
            condition.unlock()
            while true {
                condition.lock()
                while queue.isEmpty, !stopping { condition.wait() }
                guard !queue.isEmpty, let executor else {
                    condition.unlock()
                    return
                }
                let batch = queue
                queue.removeAll(keepingCapacity: true)
                condition.unlock()
                for job in batch { job.runSynchronously(on: executor) }
            }
        }
    }
}
