/// One buffer holding every activation the backward pass needs, plus backward scratch, for up to
/// `capacity` tokens of sequences up to `maxTime` long. Slices are carved at fixed offsets, so a
/// training step allocates nothing unless the batch outgrows the arena.
final class ActivationArena {
    /// Pointers into the arena for one transformer block.
    struct Block {
        let ln1, ln1Mean, ln1Rstd, qkv, probs, attention, residual2: UnsafeMutablePointer<Float>
        let ln2, ln2Mean, ln2Rstd, fcPre, fcAct: UnsafeMutablePointer<Float>
    }

    let capacity: Int
    let maxTime: Int
    private let buffer: FloatBuffer
    /// `residuals[l]` is the input of block `l`; `residuals[layers]` the final residual stream.
    let residuals: [UnsafeMutablePointer<Float>]
    let blocks: [Block]
    let lnf, lnfMean, lnfRstd, logits, values, entropy, logprobs: UnsafeMutablePointer<Float>
    // Backward scratch.
    let dResidual, dSmall, dBig, dQKV, dScores, lnScratch: UnsafeMutablePointer<Float>

    init(config: ModelConfig, capacity n: Int, maxTime t: Int, workers: Int) {
        capacity = n
        maxTime = t
        let c = config.width, v = config.vocabSize
        let sequences = (n + t - 1) / t
        let probsCount = sequences * config.heads * t * t
        var sizes: [Int] = Array(repeating: n * c, count: config.layers + 1)
        for _ in 0..<config.layers {
            sizes += [n * c, n, n, n * 3 * c, probsCount, n * c, n * c, n * c, n, n, n * 4 * c, n * 4 * c]
        }
        sizes += [n * c, n, n, n * v, n, n, n]
        sizes += [n * c, n * c, n * 4 * c, n * 3 * c, workers * t * t, LayerNormKernel.scratchCount(width: c, workers: workers)]
        let carved = FloatBuffer.carved(sizes)
        buffer = carved.buffer
        var next = carved.slices.makeIterator()
        func take() -> UnsafeMutablePointer<Float> { next.next()! }
        residuals = (0...config.layers).map { _ in take() }
        blocks = (0..<config.layers).map { _ in
            Block(ln1: take(), ln1Mean: take(), ln1Rstd: take(), qkv: take(), probs: take(), attention: take(),
                  residual2: take(), ln2: take(), ln2Mean: take(), ln2Rstd: take(), fcPre: take(), fcAct: take())
        }
        lnf = take(); lnfMean = take(); lnfRstd = take(); logits = take(); values = take(); entropy = take()
        logprobs = take()
        dResidual = take(); dSmall = take(); dBig = take(); dQKV = take(); dScores = take(); lnScratch = take()
    }

    /// Whether a batch of `batch` sequences of length `time` fits.
    func fits(batch: Int, time: Int) -> Bool {
        batch * time <= capacity && time <= maxTime
    }
}
