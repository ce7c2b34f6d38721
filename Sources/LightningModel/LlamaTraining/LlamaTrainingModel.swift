/// A Llama-family model being trained: every base weight as a float in one buffer (layout
/// `LlamaParameterLayout`), forward and backward passes over `TokenBatch`es (the same contract as the
/// GPT's `TrainingModel`) and activation checkpointing. It trains either every weight (full
/// fine-tuning) or, with a `LoRAConfiguration`, only low-rank adapters over the frozen base; the
/// trained values have gradients and AdamW moments beside them.
///
/// Built from `LlamaWeights` (quantized matrices are dequantized once) and turned back into
/// `LlamaWeights` for serving by `snapshot()`. Not thread-safe, like `TrainingModel`: run it on one
/// dedicated thread.
public final class LlamaTrainingModel {
    public let config: LlamaConfig
    public let layout: LlamaParameterLayout
    /// The adapters' layout when training LoRA, else nil (every base weight is trained).
    public let lora: LoRALayout?
    public var optimizer: AdamW
    /// A caller-managed model version, saved in checkpoints.
    public var version: Int
    /// Whether backward may recompute each block's activations from its input instead of keeping them
    /// all: it does when keeping them would take more than `activationBudgetBytes`.
    public let checkpointActivations: Bool
    /// Bytes of block activations kept before checkpointing starts (2 GiB: a training micro-batch of a
    /// 135M model keeps everything and saves the recomputation, a long-context batch recomputes).
    public var activationBudgetBytes = 2 << 30

    /// The base weights (trained in place unless LoRA is on).
    let parameters: FloatBuffer
    /// What the optimizer updates: the base weights, or the adapters.
    let trained: TrainedValues
    /// Where the base weights' gradients go; nil when they are frozen (LoRA).
    let baseGradients: UnsafeMutablePointer<Float>?
    public internal(set) var optimizerStep: Int = 0
    let ropeFactors: [Float]?
    /// The weights the model was built from, when training LoRA: snapshots serve them (quantized or not)
    /// with the current adapters on top instead of merged copies.
    var servedBase: LlamaWeights?
    let rotary: RotaryEmbedding
    let pool: WorkerPool
    var arena: LlamaActivationArena?
    var pending: PendingForward?
    /// Counts forward passes, so that each draws fresh LoRA dropout masks and its backward redraws the same.
    var forwardCount: UInt64 = 0

    struct PendingForward {
        let batch: TokenBatch
        let temperature: Float
        let dropoutSeed: UInt64
    }

    /// Trained values with their gradients and AdamW moments.
    final class TrainedValues {
        let values: FloatBuffer
        let gradients: FloatBuffer
        let firstMoment: FloatBuffer
        let secondMoment: FloatBuffer
        let spans: [AdamW.Span]

        init(values: FloatBuffer, tensors: [LlamaParameterLayout.Tensor]) {
            self.values = values
            gradients = FloatBuffer(count: values.count)
            firstMoment = FloatBuffer(count: values.count)
            secondMoment = FloatBuffer(count: values.count)
            spans = tensors.map { AdamW.Span(range: $0.offset..<($0.offset + $0.count), decays: $0.decays) }
        }
    }

    /// Starts from `weights` (dequantized) with fresh optimizer state.
    public convenience init(
        weights: LlamaWeights, lora: LoRAConfiguration? = nil, seed: UInt64 = 0, optimizer: AdamW = AdamW(),
        version: Int = 0, threads: Int = ComputeThreads.defaultWorkers, checkpointActivations: Bool = true
    ) throws(ModelError) {
        let layout = LlamaParameterLayout(weights.config)
        let values = FloatBuffer(count: layout.count)
        weights.write(into: values.pointer, layout: layout)
        try self.init(config: weights.config, parameters: values, ropeFactors: weights.ropeFactors, lora: lora, seed: seed,
                      optimizer: optimizer, version: version, threads: threads, checkpointActivations: checkpointActivations)
        if lora != nil { servedBase = weights }
    }

    /// Random weights repeatable from `seed` (normal with standard deviation `deviation`, norm gains
    /// near 1), for tests and benchmarks of shapes no file provides.
    public convenience init(
        config: LlamaConfig, seed: UInt64, deviation: Double = 0.02, lora: LoRAConfiguration? = nil,
        optimizer: AdamW = AdamW(), threads: Int = ComputeThreads.defaultWorkers, checkpointActivations: Bool = true
    ) throws(ModelError) {
        try config.validate()
        let layout = LlamaParameterLayout(config)
        let values = FloatBuffer(count: layout.count)
        var rng = SeededGenerator(seed: seed)
        for tensor in layout.tensors {
            let isNorm = tensor.shape.count == 1 && !tensor.name.hasSuffix(".bias")
            for i in tensor.offset..<(tensor.offset + tensor.count) {
                values.pointer[i] = Float((isNorm ? 1 : 0) + deviation * rng.nextNormal())
            }
        }
        try self.init(config: config, parameters: values, ropeFactors: nil, lora: lora, seed: seed &+ 1,
                      optimizer: optimizer, version: 0, threads: threads, checkpointActivations: checkpointActivations)
    }

    init(config: LlamaConfig, parameters: FloatBuffer, ropeFactors: [Float]?, lora: LoRAConfiguration?, seed: UInt64,
         optimizer: AdamW, version: Int, threads: Int, checkpointActivations: Bool) throws(ModelError) {
        try config.validate()
        try lora?.validate(for: config)
        self.config = config
        layout = LlamaParameterLayout(config)
        self.parameters = parameters
        self.ropeFactors = ropeFactors
        self.optimizer = optimizer
        self.version = version
        self.checkpointActivations = checkpointActivations
        rotary = RotaryEmbedding(config: config.rope, factors: ropeFactors)
        pool = WorkerPool(workers: threads)
        if let lora {
            let adapters = LoRALayout(lora, model: config)
            self.lora = adapters
            trained = TrainedValues(values: adapters.initialValues(seed: seed), tensors: adapters.tensors)
            baseGradients = nil
        } else {
            self.lora = nil
            trained = TrainedValues(values: parameters, tensors: layout.tensors)
            baseGradients = trained.gradients.pointer
        }
    }

    /// The current weights, ready to serve: the base it was built from with the current adapters on top
    /// (LoRA), else dense float matrices (adapters merged in, for a model made from random weights).
    public func snapshot() throws(ModelError) -> LlamaWeights {
        if let servedBase, let lora { return try servedBase.with(adapters: servedAdapters(lora)) }
        let merged = mergedParameters()
        let p = UnsafePointer(merged.pointer), c = config
        func matrix(_ offset: Int, _ rows: Int, _ columns: Int) -> PackedMatrix {
            PackedMatrix(rows: rows, columns: columns, values: UnsafeBufferPointer(start: p + offset, count: rows * columns))
        }
        func floats(_ offset: Int, _ count: Int) -> FloatBuffer {
            FloatBuffer(copying: UnsafeBufferPointer(start: p + offset, count: count))
        }
        let qkvRows = c.queryWidth + 2 * c.kvWidth
        let blocks = layout.blocks.map { b in
            LlamaWeights.Block(
                attentionNorm: floats(b.attentionNorm, c.width), qkv: MatrixGroup([matrix(b.qkv, qkvRows, c.width)]),
                qkvBias: b.qkvBias.map { floats($0, qkvRows) },
                attentionOutput: MatrixGroup([matrix(b.attentionOutput, c.width, c.queryWidth)]),
                mlpNorm: floats(b.mlpNorm, c.width), gateUp: MatrixGroup([matrix(b.gateUp, 2 * c.hiddenWidth, c.width)]),
                down: MatrixGroup([matrix(b.down, c.width, c.hiddenWidth)]))
        }
        return try LlamaWeights(
            config: c, tokenEmbedding: matrix(layout.tokenEmbedding, c.vocabularySize, c.width), blocks: blocks,
            finalNorm: floats(layout.finalNorm, c.width),
            output: c.tiedEmbeddings ? nil : matrix(layout.output, c.vocabularySize, c.width), ropeFactors: ropeFactors)
    }

    /// A copy of the trained values (the base weights, or the adapters) in layout order.
    public var parameterValues: [Float] { trained.values.array }

    /// A copy of the accumulated gradients of the trained values.
    public var gradientValues: [Float] { trained.gradients.array }

    /// Number of trained values.
    public var trainedCount: Int { trained.values.count }

    public func zeroGradients() { trained.gradients.zero() }

    /// Overwrites one trained value (finite-difference tests). Invalidates a pending backward.
    public func setParameter(at index: Int, to value: Float) throws(ModelError) {
        guard index >= 0 && index < trained.values.count else {
            throw ModelError(.invalidInput, "parameter index \(index) is outside 0..<\(trained.values.count)")
        }
        trained.values.pointer[index] = value
        pending = nil
    }

    /// The global L2 norm of the gradients before clipping; clips them to `maxNorm` (when positive).
    @discardableResult
    public func clipGradients(maxNorm: Float) -> Float {
        AdamW.clip(pool, trained.gradients.pointer, count: trained.gradients.count, maxNorm: maxNorm)
    }

    /// One AdamW update of the trained values from the accumulated gradients.
    public func step(learningRate: Float) {
        optimizerStep += 1
        optimizer.update(pool, parameters: trained.values.pointer, gradients: trained.gradients.pointer,
                         firstMoment: trained.firstMoment.pointer, secondMoment: trained.secondMoment.pointer,
                         spans: trained.spans, learningRate: learningRate, step: optimizerStep)
        pending = nil
    }

    func arena(batch: Int, time: Int) -> LlamaActivationArena {
        if let arena, arena.fits(batch: batch, time: time) { return arena }
        let capacity = max(batch * time, arena?.capacity ?? 0), maxTime = max(time, arena?.maxTime ?? 0)
        arena = nil  // release the old arena before allocating the larger one
        let keptBytes = LlamaActivationArena.blockSizes(config: config, lora: lora?.configuration, capacity: capacity, maxTime: maxTime)
            .reduce(0, +) * config.layers * 4
        let grown = LlamaActivationArena(config: config, lora: lora?.configuration, capacity: capacity, maxTime: maxTime,
                                         workers: pool.workerCount,
                                         checkpointed: checkpointActivations && keptBytes > activationBudgetBytes)
        arena = grown
        return grown
    }

    /// Allocates the activation arena for batches up to `batch × time` now rather than on first use.
    public func reserve(batch: Int, time: Int) {
        _ = arena(batch: batch, time: min(time, config.context))
    }
}

extension LlamaWeights {
    /// Writes every weight as floats at its place in `layout` (the runner's row order: Hugging Face's).
    func write(into p: UnsafeMutablePointer<Float>, layout: LlamaParameterLayout) {
        tokenEmbedding.dequantize(into: p + layout.tokenEmbedding)
        for (block, offsets) in zip(blocks, layout.blocks) {
            (p + offsets.attentionNorm).update(from: block.attentionNorm.pointer, count: config.width)
            block.qkv.dequantize(into: p + offsets.qkv)
            if let bias = block.qkvBias, let offset = offsets.qkvBias { (p + offset).update(from: bias.pointer, count: bias.count) }
            block.attentionOutput.dequantize(into: p + offsets.attentionOutput)
            (p + offsets.mlpNorm).update(from: block.mlpNorm.pointer, count: config.width)
            block.gateUp.dequantize(into: p + offsets.gateUp)
            block.down.dequantize(into: p + offsets.down)
        }
        (p + layout.finalNorm).update(from: finalNorm.pointer, count: config.width)
        if !config.tiedEmbeddings { output.dequantize(into: p + layout.output) }
    }
}

extension PackedMatrix {
    /// Writes all rows as floats (`rows × columns`).
    func dequantize(into output: UnsafeMutablePointer<Float>) {
        for row in 0..<rows { dequantize(row: row, into: output + row * columns) }
    }
}

extension MatrixGroup {
    /// Writes the rows of every matrix in order (`rows × columns` floats).
    func dequantize(into output: UnsafeMutablePointer<Float>) {
        for (matrix, offset) in zip(matrices, offsets) { matrix.dequantize(into: output + offset * columns) }
    }
}
