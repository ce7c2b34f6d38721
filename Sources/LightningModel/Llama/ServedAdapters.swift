/// LoRA adapters served on top of a base model's weights: for each block, the adapted layers' `A[rank, in]`
/// and `B[out, rank]` as floats. The runner adds `scale · (x·Aᵀ)·Bᵀ` to each adapted projection, so a new
/// adapter version is a few megabytes to swap in while the (possibly quantized) base stays as loaded.
///
/// `@unchecked Sendable`: immutable after the initializer.
public final class ServedAdapters: @unchecked Sendable {
    struct Adapter {
        let target: LoRAConfiguration.Target
        let a: FloatBuffer
        let b: FloatBuffer
        let inFeatures: Int
        let outFeatures: Int
    }

    let rank: Int
    let scale: Float
    /// `blocks[layer]`: that block's adapters.
    let blocks: [[Adapter]]

    init(rank: Int, scale: Float, blocks: [[Adapter]]) {
        self.rank = rank
        self.scale = scale
        self.blocks = blocks
    }

    /// Bytes held.
    var byteCount: Int { blocks.joined().reduce(0) { $0 + ($1.a.count + $1.b.count) * 4 } }
}

extension LlamaWeights {
    /// These weights with `adapters` on top (the base's buffers are shared, not copied).
    func with(adapters: ServedAdapters?) throws(ModelError) -> LlamaWeights {
        try LlamaWeights(config: config, tokenEmbedding: tokenEmbedding, blocks: blocks, finalNorm: finalNorm,
                         output: config.tiedEmbeddings ? nil : output.matrices[0], ropeFactors: ropeFactors, adapters: adapters)
    }
}

extension LlamaRunner {
    /// Adds the adapters of `targets` (those `weights` has for block `layer`) to a projection's output:
    /// `y[:, offset…] += scale · (x·Aᵀ)·Bᵀ`.
    func applyAdapters(
        _ weights: LlamaWeights, layer: Int, _ targets: [LoRAConfiguration.Target], input: UnsafePointer<Float>, ldx: Int,
        rows: Int, output: UnsafeMutablePointer<Float>, ldy: Int
    ) {
        guard let adapters = weights.adapters else { return }
        if loraScratch.count < rows * adapters.rank { loraScratch = FloatBuffer(count: maxRows * adapters.rank) }
        let u = loraScratch.pointer, r = adapters.rank
        for adapter in adapters.blocks[layer] where targets.contains(adapter.target) {
            ProjectionKernel.forward(pool, input: input, ldInput: ldx, rows: rows, inFeatures: adapter.inFeatures,
                                     weight: adapter.a.pointer, outFeatures: r, output: u, ldOutput: r)
            ProjectionKernel.forward(pool, input: u, ldInput: r, rows: rows, inFeatures: r, weight: adapter.b.pointer,
                                     outFeatures: adapter.outFeatures, output: output + adapter.target.outputOffset(config),
                                     ldOutput: ldy, accumulate: true, alpha: adapters.scale)
        }
    }
}
