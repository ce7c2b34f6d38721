import Foundation
import Synchronization

/// Runs the tasks of one parallel loop on the calling thread plus `workerCount − 1` helper threads.
///
/// The model splits its own work (rows of a matrix product, sequences × heads of attention, rows of
/// LayerNorm) instead of relying on OpenBLAS's pool: at these sizes (K = 128…1536, many small attention
/// products) OpenBLAS's per-call thread hand-off cost more than it saved. Helpers spin briefly between
/// loops (loops come every few microseconds during a step), then sleep on a condition.
///
/// One pool belongs to one model and is driven from one thread at a time; loops do not nest. The
/// helpers stop when the pool is released.
final class WorkerPool {
    let workerCount: Int
    private let shared: Shared

    /// A pool of `workers` threads in total (the caller counts as one).
    init(workers: Int) {
        BLAS.useSingleThreadedProducts()
        workerCount = max(1, workers)
        let shared = Shared(helpers: workerCount - 1)
        self.shared = shared
        for worker in 1..<workerCount {
            let thread = Thread { shared.helperLoop(worker: worker) }
            thread.name = "lightning-model-worker-\(worker)"
            thread.start()
        }
    }

    deinit {
        shared.stop()
    }

    /// Calls `body(task, worker)` for every task in `0..<count`; `worker` is in `0..<workerCount`, and
    /// no two concurrent calls share a worker index (so per-worker scratch is safe).
    func run(_ count: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
        guard count > 1, workerCount > 1 else {
            for task in 0..<count { body(task, 0) }
            return
        }
        withoutActuallyEscaping(body) { shared.run(count, $0) }
    }

    /// Splits `0..<count` into about one contiguous range per worker (ranges start on multiples of
    /// `alignment`) and runs `body(range, chunkIndex)` on each; chunk boundaries depend only on `count`
    /// and the worker count, so results are repeatable.
    func chunks(_ count: Int, alignment: Int = 1, _ body: (Range<Int>, Int) -> Void) {
        let pieces = chunkCount(count, alignment: alignment)
        let step = ((count + pieces - 1) / pieces + alignment - 1) / alignment * alignment
        run(pieces) { piece, _ in
            let start = piece * step
            if start < count { body(start..<min(count, start + step), piece) }
        }
    }

    /// Number of ranges `chunks` uses for `count` items.
    func chunkCount(_ count: Int, alignment: Int = 1) -> Int {
        max(1, min(workerCount, count / max(1, alignment)))
    }

    /// State shared with the helper threads. `@unchecked Sendable`: `job` and `taskCount` are written
    /// by the driving thread only before the releasing bump of `generation` and read by helpers after
    /// its acquiring load; the driver waits until every helper has checked in before writing them again.
    private final class Shared: @unchecked Sendable {
        let helpers: Int
        let generation = Atomic<Int>(0)
        let nextTask = Atomic<Int>(0)
        let checkedIn = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        let wake = NSCondition()
        var sleepers = 0  // guarded by `wake`
        var job: ((Int, Int) -> Void)?
        var taskCount = 0

        init(helpers: Int) { self.helpers = helpers }

        func run(_ count: Int, _ body: @escaping (Int, Int) -> Void) {
            job = body
            taskCount = count
            nextTask.store(0, ordering: .relaxed)
            checkedIn.store(0, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            wake.lock()
            if sleepers > 0 { wake.broadcast() }
            wake.unlock()
            work(worker: 0)
            while checkedIn.load(ordering: .acquiring) < helpers {}
            job = nil
        }

        func stop() {
            stopping.store(true, ordering: .releasing)
            wake.lock()
            wake.broadcast()
            wake.unlock()
        }

        private func work(worker: Int) {
            guard let job else { return }
            while true {
                let task = nextTask.add(1, ordering: .relaxed).oldValue
                if task >= taskCount { break }
                job(task, worker)
            }
        }

        func helperLoop(worker: Int) {
            var seen = 0
            while true {
                var spins = 0
                while generation.load(ordering: .acquiring) == seen {
                    if stopping.load(ordering: .acquiring) { return }
                    spins += 1
                    if spins > 100_000 {
                        wake.lock()
                        sleepers += 1
                        while generation.load(ordering: .acquiring) == seen, !stopping.load(ordering: .acquiring) {
                            wake.wait()
                        }
                        sleepers -= 1
                        wake.unlock()
                        spins = 0
                    }
                }
                seen = generation.load(ordering: .acquiring)
                work(worker: worker)
                checkedIn.add(1, ordering: .releasing)
            }
        }
    }
}
