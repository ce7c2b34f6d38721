import Foundation
import Synchronization

/// Runs the tasks of one parallel loop on the calling thread plus `workerCount − 1` helper threads.
///
/// The model splits its own work (rows of a matrix product, sequences × heads of attention, rows of
/// LayerNorm) instead of relying on OpenBLAS's pool: at these sizes (K = 128…1536, many small attention
/// products) OpenBLAS's per-call thread hand-off cost more than it saved.
///
/// Tasks are claimed one at a time from a shared counter, and the caller claims too, so a loop never
/// waits for a helper that has not started (a busy or descheduled machine only loses parallelism).
/// Idle helpers spin briefly (loops come every few microseconds during a step), yield, then sleep.
/// One pool belongs to one model and is driven from one thread at a time; loops do not nest.
final class WorkerPool {
    let workerCount: Int
    private let shared: Shared

    /// A pool of `workers` threads in total (the caller counts as one).
    init(workers: Int) {
        BLAS.useSingleThreadedProducts()
        workerCount = max(1, workers)
        let shared = Shared()
        self.shared = shared
        for worker in 1..<workerCount {
            Thread {
                ThreadName.set("lm-worker-\(worker)")
                shared.helperLoop(worker: worker)
            }.start()
        }
    }

    deinit {
        shared.stop()
    }

    /// Calls `body(task, worker)` for every task in `0..<count` and returns when all are done. `worker`
    /// is in `0..<workerCount` and no two concurrent calls share one (so per-worker scratch is safe).
    func run(_ count: Int, _ body: @escaping (_ task: Int, _ worker: Int) -> Void) {
        guard count > 1, workerCount > 1 else {
            for task in 0..<count { body(task, 0) }
            return
        }
        shared.run(Job(count: count, body: body))
    }

    /// Work (about one multiply-add or elementwise operation per unit) below which a loop runs on the
    /// calling thread: waking a helper costs about as much as 10⁵ multiply-adds.
    static let serialWork = 400_000

    /// Splits `0..<count` into about one contiguous range per worker (ranges start on multiples of
    /// `alignment`) and runs `body(range, chunkIndex)` on each; chunk boundaries depend only on `count`,
    /// `work` and the worker count, so results are repeatable. Small loops (`work` below `serialWork`)
    /// run as one chunk on the calling thread.
    func chunks(_ count: Int, alignment: Int = 1, work: Int = .max, _ body: @escaping (Range<Int>, Int) -> Void) {
        guard work >= Self.serialWork else {
            if count > 0 { body(0..<count, 0) }
            return
        }
        let (pieces, step) = split(count, alignment: alignment)
        run(pieces) { piece, _ in
            let start = piece * step
            body(start..<min(count, start + step), piece)
        }
    }

    /// Number of ranges `chunks` runs for `count` items (every one non-empty, so a caller that keeps
    /// one partial result per chunk reduces exactly those `chunks` wrote).
    func chunkCount(_ count: Int, alignment: Int = 1, work: Int = .max) -> Int {
        guard count > 0 else { return 0 }
        return work < Self.serialWork ? 1 : split(count, alignment: alignment).pieces
    }

    /// About one range per worker, each a multiple of `alignment` long (the last may be shorter); rounding
    /// the length up can leave fewer ranges than workers (9 items, 4 workers: 3 ranges of 3).
    private func split(_ count: Int, alignment: Int) -> (pieces: Int, step: Int) {
        guard count > 0 else { return (0, 1) }
        let wanted = max(1, min(workerCount, count / max(1, alignment)))
        let step = ((count + wanted - 1) / wanted + alignment - 1) / alignment * alignment
        return ((count + step - 1) / step, step)
    }

    /// One parallel loop. `@unchecked Sendable`: `body` and `count` are immutable; the counters are
    /// atomics. The closure only touches memory the caller keeps alive until `done == count`, and a
    /// helper holding a finished job finds no task left to claim.
    private final class Job: @unchecked Sendable {
        let count: Int
        let body: (Int, Int) -> Void
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)

        init(count: Int, body: @escaping (Int, Int) -> Void) {
            self.count = count
            self.body = body
        }

        /// Claims and runs tasks until none are left.
        func work(worker: Int) {
            while true {
                let task = next.add(1, ordering: .relaxed).oldValue
                guard task < count else { return }
                body(task, worker)
                done.add(1, ordering: .releasing)
            }
        }
    }

    /// State shared with the helpers. `@unchecked Sendable`: `current` and `sleepers` are guarded by
    /// `wake`; the rest are atomics.
    private final class Shared: @unchecked Sendable {
        let generation = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        let wake = NSCondition()
        var current: Job?
        var sleepers = 0

        /// How long an idle helper polls for the next loop before it sleeps: longer than the gaps inside
        /// a training or decode step, short enough not to burn a core between requests.
        static let pollLimit = Duration.milliseconds(2)

        func run(_ job: Job) {
            wake.lock()
            current = job
            generation.add(1, ordering: .releasing)
            if sleepers > 0 { wake.broadcast() }
            wake.unlock()
            job.work(worker: 0)
            var spins = 0
            while job.done.load(ordering: .acquiring) < job.count {
                spins += 1
                if spins > 2000 { sched_yield() }  // the helper holding a task may need this core
            }
            wake.lock()
            current = nil
            wake.unlock()
        }

        func stop() {
            stopping.store(true, ordering: .releasing)
            wake.lock()
            wake.broadcast()
            wake.unlock()
        }

        func helperLoop(worker: Int) {
            var seen = 0
            while !stopping.load(ordering: .acquiring) {
                if generation.load(ordering: .acquiring) == seen, !poll(seen: seen) { park(seen: seen) }
                wake.lock()
                seen = generation.load(ordering: .acquiring)
                let job = current
                wake.unlock()
                job?.work(worker: worker)
            }
        }

        /// Waits for a new loop by spinning, then yielding; false when `pollLimit` passed without one.
        private func poll(seen: Int) -> Bool {
            var spins = 0
            var start: ContinuousClock.Instant?
            while generation.load(ordering: .acquiring) == seen {
                if stopping.load(ordering: .acquiring) { return true }
                spins += 1
                guard spins & 255 == 0 else { continue }
                if spins > 4096 { sched_yield() }
                let now = ContinuousClock.now
                if let start {
                    if now - start > Self.pollLimit { return false }
                } else {
                    start = now
                }
            }
            return true
        }

        private func park(seen: Int) {
            wake.lock()
            sleepers += 1
            while generation.load(ordering: .acquiring) == seen, !stopping.load(ordering: .acquiring) {
                wake.wait()
            }
            sleepers -= 1
            wake.unlock()
        }
    }
}
