import NIOCore
import NIOPosix

/// Runs tasks on one NIO event loop: the loop the database connections live on. With the store's tasks
/// preferring it, a request, its batch and its database round trip stay on one thread instead of hopping
/// between Swift's cooperative pool and NIO's threads (each hop costs a thread wake-up).
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the event loop is thread-safe; `execute` may be called from any thread.
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
