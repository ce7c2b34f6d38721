/// The activations a Llama training step keeps, and its backward scratch, for up to `capacity` tokens
/// of sequences up to `maxTime` long, in one buffer carved at fixed offsets.
///
/// With checkpointing, only each block's input is kept from the forward pass and one set of block
/// activations is recomputed per block during backward (one more forward's work, a fraction of the
/// memory); without it every block keeps its own set. The logits are never held for the whole batch:
/// the head runs `headRows` rows at a time, forward and again in backward.
final class LlamaActivationArena {
    /// One block's activations.
    struct Block {
        let attentionIn, qkv, probs, attention, residual, mlpIn, gateUp, hidden: UnsafeMutablePointer<Float>
        /// The adapters' `u = x·Aᵀ` (`[rows, rank]` per adapted target, in target order).
        let loraHidden: UnsafeMutablePointer<Float>
    }

    let capacity: Int
    let maxTime: Int
    let headRows: Int
    let checkpointed: Bool
    private let buffer: FloatBuffer
    /// `residuals[l]` is the input of block `l`; `residuals[layers]` the final residual stream.
    let residuals: [UnsafeMutablePointer<Float>]
    private let sets: [Block]
    let normed, logits, logprobs, entropy, cosines, sines: UnsafeMutablePointer<Float>
    /// The head's input rows gathered from `normed` (scored positions only), and their gradient.
    let headInput, dHeadInput: UnsafeMutablePointer<Float>
    // Backward scratch.
    let dResidual, dNormed, dAttention, dQKV, dGateUp, dHidden, dScores, normScratch: UnsafeMutablePointer<Float>
    /// LoRA backward scratch: `dU`, and an adapter's dropped-out input.
    let dLoraHidden, dropped: UnsafeMutablePointer<Float>

    init(config: LlamaConfig, lora: LoRAConfiguration?, capacity n: Int, maxTime t: Int, workers: Int, checkpointed: Bool) {
        capacity = n
        maxTime = t
        self.checkpointed = checkpointed
        let c = config.width, f = config.hiddenWidth, v = config.vocabularySize
        let qkvWidth = config.queryWidth + 2 * config.kvWidth, q = config.queryWidth
        // About 32 MiB of logits at a time, whole 16-row groups.
        headRows = min(n, max(16, (8 << 20) / v / 16 * 16))
        let setCount = checkpointed ? 1 : config.layers
        var sizes = Array(repeating: n * c, count: config.layers + 1)
        for _ in 0..<setCount { sizes += Self.blockSizes(config: config, lora: lora, capacity: n, maxTime: t) }
        let half = config.rope.dimensions / 2
        sizes += [n * c, headRows * v, n, n, t * half, t * half, headRows * c, headRows * c]
        sizes += [n * c, n * c, n * q, n * qkvWidth, n * 2 * f, n * f, workers * t * t,
                  RMSNormKernel.scratchCount(width: c, workers: workers), n * (lora?.rank ?? 0),
                  (lora?.dropout ?? 0) > 0 ? n * max(c, f, q) : 0]
        let carved = FloatBuffer.carved(sizes)
        buffer = carved.buffer
        var next = carved.slices.makeIterator()
        func take() -> UnsafeMutablePointer<Float> { next.next()! }
        residuals = (0...config.layers).map { _ in take() }
        sets = (0..<setCount).map { _ in
            Block(attentionIn: take(), qkv: take(), probs: take(), attention: take(), residual: take(), mlpIn: take(),
                  gateUp: take(), hidden: take(), loraHidden: take())
        }
        normed = take(); logits = take(); logprobs = take(); entropy = take(); cosines = take(); sines = take()
        headInput = take(); dHeadInput = take()
        dResidual = take(); dNormed = take(); dAttention = take(); dQKV = take(); dGateUp = take(); dHidden = take()
        dScores = take(); normScratch = take(); dLoraHidden = take(); dropped = take()
    }

    /// Floats of one block's activation set.
    static func blockSizes(config: LlamaConfig, lora: LoRAConfiguration?, capacity n: Int, maxTime t: Int) -> [Int] {
        let c = config.width, f = config.hiddenWidth, q = config.queryWidth, qkvWidth = q + 2 * config.kvWidth
        let sequences = (n + t - 1) / t
        return [n * c, n * qkvWidth, sequences * config.heads * t * t, n * q, n * c, n * c, n * 2 * f, n * f,
                n * (lora.map { $0.rank * $0.targets.count } ?? 0)]
    }

    /// The activation set of block `layer`.
    func block(_ layer: Int) -> Block { sets[checkpointed ? 0 : layer] }

    /// Floats held (for memory estimates and logs).
    var floatCount: Int { buffer.count }

    func fits(batch: Int, time: Int) -> Bool { batch * time <= capacity && time <= maxTime }
}
