import Foundation

/// Threads used by the model.
///
/// The model parallelizes itself: each `TrainingModel` and `GenerationEngine` has its own worker
/// threads (the `threads` parameter, default `defaultWorkers`) that split matrix products by rows or
/// columns, attention by sequence and head, and the elementwise passes by rows. Every `sgemm` call then
/// runs single-threaded inside OpenBLAS: when the first model starts, the library sets OpenBLAS's own
/// pool to one thread (`openblas_set_num_threads(1)`), because at these sizes OpenBLAS's per-call
/// hand-off to its threads cost more than it saved (measured: a training step of `S` took 3.5 s with
/// OpenBLAS on 2 threads, 1.8 s on 1).
public enum ComputeThreads {
    /// Default number of worker threads per model: `LIGHTNING_MODEL_THREADS` if set, else the number of
    /// active processors.
    public static var defaultWorkers: Int {
        if let value = ProcessInfo.processInfo.environment["LIGHTNING_MODEL_THREADS"], let n = Int(value), n > 0 {
            return n
        }
        return ProcessInfo.processInfo.activeProcessorCount
    }

    /// The number of threads OpenBLAS itself uses for one matrix product (process-wide; the library
    /// sets it to 1 when its first model starts). Raise it only for products you call yourself
    /// outside the model, and not while a model is computing.
    public static var blasThreads: Int {
        get { BLAS.threadCount }
        set { BLAS.threadCount = newValue }
    }

    /// OpenBLAS's build description (version, target core), for logs and benchmark reports.
    public static var blasConfiguration: String { BLAS.configuration }
}
