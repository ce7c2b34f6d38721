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
        // Named from inside: on Linux, Foundation applies a name set before `start()` to the Thread
        // object only, not to the OS thread that profilers and /proc show.
        Thread {
            Thread.current.name = name
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

    /// The queue shared with the thread. `@unchecked Sendable`: every stored property is only touched
    /// while holding `condition`.
    private final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private var queue: [UnownedJob] = []
        private var stopping = false
        private var executor: UnownedSerialExecutor?

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
