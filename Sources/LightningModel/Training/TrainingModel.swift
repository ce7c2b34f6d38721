/// The trainable model: parameters, gradients and Adam moments in flat buffers (layout
/// `ParameterLayout`), an activation arena, forward and backward passes, AdamW and clipping.
///
/// Not thread-safe and meant to run off Swift's cooperative pool (a long forward/backward blocks its
/// thread): use it from one dedicated thread, for example through `ComputeThread`.
public final class TrainingModel {
    public let config: ModelConfig
    public let layout: ParameterLayout
    /// AdamW hyperparameters used by `step(learningRate:)`.
    public var optimizer: AdamW
    /// A caller-managed model version, saved in checkpoints (for example the number of updates
    /// published so far).
    public var version: Int

    let parameters: FloatBuffer
    let gradients: FloatBuffer
    let firstMoment: FloatBuffer
    let secondMoment: FloatBuffer
    /// Number of optimizer steps taken (Adam's bias correction uses it).
    public internal(set) var optimizerStep: Int = 0

    var arena: ActivationArena?
    let pool: WorkerPool
    /// The batch of the last `forward`, until `backward` consumes it.
    var pending: PendingForward?

    struct PendingForward {
        let batch: TokenBatch
        let temperature: Float
    }

    /// A model with GPT-2-style random weights repeatable from `seed`.
    public convenience init(
        config: ModelConfig, seed: UInt64 = 0, optimizer: AdamW = AdamW(), threads: Int = ComputeThreads.defaultWorkers
    ) throws(ModelError) {
        try self.init(weights: ModelWeights(config: config, seed: seed), optimizer: optimizer, threads: threads)
    }

    /// A model starting from `weights` with fresh optimizer state. `threads` is the number of
    /// worker threads (including the calling one) that split each step's work.
    public init(
        weights: ModelWeights, optimizer: AdamW = AdamW(), version: Int = 0,
        threads: Int = ComputeThreads.defaultWorkers
    ) {
        pool = WorkerPool(workers: threads)
        config = weights.config
        layout = weights.layout
        self.optimizer = optimizer
        self.version = version
        parameters = FloatBuffer(copying: UnsafeBufferPointer(start: weights.pointer, count: layout.count))
        gradients = FloatBuffer(count: layout.count)
        firstMoment = FloatBuffer(count: layout.count)
        secondMoment = FloatBuffer(count: layout.count)
    }

    /// An immutable copy of the current parameters, for serving or saving.
    public func snapshot() -> ModelWeights {
        let copy = FloatBuffer(copying: UnsafeBufferPointer(start: parameters.pointer, count: layout.count))
        return ModelWeights(config: config, layout: layout, storage: copy)
    }

    /// Replaces the parameters (optimizer state is kept).
    public func load(weights: ModelWeights) throws(ModelError) {
        guard weights.config == config else {
            throw ModelError(.configMismatch, "weights are for \(weights.config), the model is \(config)")
        }
        parameters.pointer.update(from: weights.pointer, count: layout.count)
        pending = nil
    }

    /// A copy of the parameters in layout order.
    public var parameterValues: [Float] { parameters.array }

    /// A copy of the accumulated gradients in layout order.
    public var gradientValues: [Float] { gradients.array }

    /// Sets every accumulated gradient to zero.
    public func zeroGradients() { gradients.zero() }

    /// Overwrites one parameter (finite-difference tests, surgery). Invalidates a pending backward.
    public func setParameter(at index: Int, to value: Float) throws(ModelError) {
        guard index >= 0 && index < layout.count else {
            throw ModelError(.invalidInput, "parameter index \(index) is outside 0..<\(layout.count)")
        }
        parameters.pointer[index] = value
        pending = nil
    }

    func arena(batch: Int, time: Int) -> ActivationArena {
        if let arena, arena.fits(batch: batch, time: time) { return arena }
        let capacity = max(batch * time, arena?.capacity ?? 0)
        let maxTime = max(time, arena?.maxTime ?? 0)
        arena = nil  // release the old arena before allocating the larger one
        let grown = ActivationArena(config: config, capacity: capacity, maxTime: maxTime, workers: pool.workerCount)
        arena = grown
        return grown
    }

    /// Allocates the activation arena for batches up to `batch × time` now rather than on first use.
    public func reserve(batch: Int, time: Int) {
        _ = arena(batch: batch, time: min(time, config.context))
    }
}
