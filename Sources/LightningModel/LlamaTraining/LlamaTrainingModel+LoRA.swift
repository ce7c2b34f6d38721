extension LoRALayout {
    /// `A` uniform in ±1/√in, `B` zero, repeatable from `seed`.
    func initialValues(seed: UInt64) -> FloatBuffer {
        let values = FloatBuffer(count: count)
        var rng = SeededGenerator(seed: seed)
        for adapter in adapters.joined() {
            let bound = 1 / Double(adapter.inFeatures).squareRoot()
            for i in 0..<(configuration.rank * adapter.inFeatures) {
                values.pointer[adapter.a + i] = Float((2 * rng.nextUnit() - 1) * bound)
            }
        }
        return values
    }
}

extension LlamaTrainingModel {
    /// Every weight in layout order, adapters merged in (for exports).
    public func mergedValues() -> [Float] { mergedParameters().array }

    /// Per-pair divisors of the rotary frequencies the base file gave (GGUF `rope_freqs`), if any.
    public var ropeFrequencyFactors: [Float]? { ropeFactors }

    /// The base weights with every adapter merged in (`W + scale·B·A`); the base buffer itself when
    /// training every weight.
    func mergedParameters() -> FloatBuffer {
        guard let lora else { return parameters }
        let merged = FloatBuffer(copying: UnsafeBufferPointer(start: parameters.pointer, count: parameters.count))
        let values = UnsafePointer(trained.values.pointer), r = lora.configuration.rank
        for adapter in lora.adapters.joined() {
            let w = layout.blocks[adapter.layer].weight(adapter.target, config)
            BLAS.gemm(m: adapter.outFeatures, n: adapter.inFeatures, k: r, alpha: lora.configuration.scale,
                      a: values + adapter.b, lda: r, b: values + adapter.a, ldb: adapter.inFeatures, beta: 1,
                      c: merged.pointer + w, ldc: adapter.inFeatures)
        }
        return merged
    }

    /// A copy of the current adapters for the runner.
    func servedAdapters(_ lora: LoRALayout) -> ServedAdapters {
        let values = UnsafePointer(trained.values.pointer), r = lora.configuration.rank
        let blocks = lora.adapters.map { block in
            block.map { adapter in
                ServedAdapters.Adapter(
                    target: adapter.target,
                    a: FloatBuffer(copying: UnsafeBufferPointer(start: values + adapter.a, count: r * adapter.inFeatures)),
                    b: FloatBuffer(copying: UnsafeBufferPointer(start: values + adapter.b, count: adapter.outFeatures * r)),
                    inFeatures: adapter.inFeatures, outFeatures: adapter.outFeatures)
            }
        }
        return ServedAdapters(rank: r, scale: lora.configuration.scale, blocks: blocks)
    }

    /// A projection's adapters (those of `targets` that are trained), forward: for each, `u = drop(x)·Aᵀ`
    /// is kept in the block's activations and `scale·u·Bᵀ` added to its columns of `output`.
    func adaptersForward(
        _ l: Int, _ targets: [LoRAConfiguration.Target], input: UnsafePointer<Float>, ldInput: Int,
        output: UnsafeMutablePointer<Float>, ldOutput: Int, rows n: Int, arena: LlamaActivationArena, seed: UInt64?
    ) {
        guard let lora else { return }
        let values = UnsafePointer(trained.values.pointer), r = lora.configuration.rank, scale = lora.configuration.scale
        for target in targets {
            guard let adapter = lora.adapter(l, target), let slot = lora.configuration.targets.firstIndex(of: target) else { continue }
            let u = arena.block(l).loraHidden + slot * n * r
            let x = droppedInput(input, ldInput: ldInput, adapter: adapter, rows: n, arena: arena, seed: seed)
            ProjectionKernel.forward(pool, input: x.pointer, ldInput: x.ld, rows: n, inFeatures: adapter.inFeatures,
                                     weight: values + adapter.a, outFeatures: r, output: u, ldOutput: r)
            ProjectionKernel.forward(pool, input: u, ldInput: r, rows: n, inFeatures: r, weight: values + adapter.b,
                                     outFeatures: adapter.outFeatures, output: output + target.outputOffset(config),
                                     ldOutput: ldOutput, accumulate: true, alpha: scale)
        }
    }

    /// Backward of `adaptersForward`: accumulates the adapters' gradients and adds their share of the
    /// input gradient to `dInput`.
    func adaptersBackward(
        _ l: Int, _ targets: [LoRAConfiguration.Target], dOutput: UnsafePointer<Float>, ldOutput: Int,
        input: UnsafePointer<Float>, ldInput: Int, dInput: UnsafeMutablePointer<Float>, rows n: Int,
        arena: LlamaActivationArena, seed: UInt64
    ) {
        guard let lora else { return }
        let values = UnsafePointer(trained.values.pointer), grad = trained.gradients.pointer
        let r = lora.configuration.rank, scale = lora.configuration.scale, dropout = lora.configuration.dropout
        for target in targets {
            guard let adapter = lora.adapter(l, target), let slot = lora.configuration.targets.firstIndex(of: target) else { continue }
            let u = arena.block(l).loraHidden + slot * n * r, dU = arena.dLoraHidden
            let dY = dOutput + target.outputOffset(config), inFeatures = adapter.inFeatures
            ProjectionKernel.weightGradient(pool, dOutput: dY, ldOutput: ldOutput, input: u, ldInput: r, rows: n,
                                            inFeatures: r, outFeatures: adapter.outFeatures, dWeight: grad + adapter.b,
                                            alpha: scale)
            ProjectionKernel.inputGradient(pool, dOutput: dY, ldOutput: ldOutput, rows: n, inFeatures: r,
                                           weight: values + adapter.b, outFeatures: adapter.outFeatures, dInput: dU,
                                           ldInput: r, alpha: scale)
            let x = droppedInput(input, ldInput: ldInput, adapter: adapter, rows: n, arena: arena, seed: seed)
            ProjectionKernel.weightGradient(pool, dOutput: dU, ldOutput: r, input: x.pointer, ldInput: x.ld, rows: n,
                                            inFeatures: inFeatures, outFeatures: r, dWeight: grad + adapter.a)
            if dropout == 0 {
                ProjectionKernel.inputGradient(pool, dOutput: dU, ldOutput: r, rows: n, inFeatures: inFeatures,
                                               weight: values + adapter.a, outFeatures: r, dInput: dInput, ldInput: ldInput,
                                               accumulate: true)
            } else {
                // The gradient reaches only the inputs the mask kept, scaled as they were.
                let scratch = arena.dropped
                ProjectionKernel.inputGradient(pool, dOutput: dU, ldOutput: r, rows: n, inFeatures: inFeatures,
                                               weight: values + adapter.a, outFeatures: r, dInput: scratch, ldInput: inFeatures)
                let key = dropoutKey(seed, adapter), keep = Float(1 / (1 - dropout)), p = dropout
                pool.chunks(n, work: n * inFeatures * 4) { range, _ in
                    for row in range {
                        for i in 0..<inFeatures where Self.kept(key, row * inFeatures + i, p) {
                            dInput[row * ldInput + i] += scratch[row * inFeatures + i] * keep
                        }
                    }
                }
            }
        }
    }

    /// The input of an adapter's `A` path: `input` itself, or with dropout a masked, rescaled copy in
    /// `arena.dropped` (the mask is a function of the forward's seed, so recomputing it gives the same).
    private func droppedInput(
        _ input: UnsafePointer<Float>, ldInput: Int, adapter: LoRALayout.Adapter, rows n: Int,
        arena: LlamaActivationArena, seed: UInt64?
    ) -> (pointer: UnsafePointer<Float>, ld: Int) {
        guard let seed, let lora, lora.configuration.dropout > 0 else { return (input, ldInput) }
        let p = lora.configuration.dropout, keep = Float(1 / (1 - p)), width = adapter.inFeatures
        let key = dropoutKey(seed, adapter), out = arena.dropped
        pool.chunks(n, work: n * width * 4) { range, _ in
            for row in range {
                for i in 0..<width {
                    out[row * width + i] = Self.kept(key, row * width + i, p) ? input[row * ldInput + i] * keep : 0
                }
            }
        }
        return (UnsafePointer(out), width)
    }

    private func dropoutKey(_ seed: UInt64, _ adapter: LoRALayout.Adapter) -> UInt64 {
        Self.mix(seed ^ UInt64(adapter.layer << 8 | (LoRAConfiguration.Target.allCases.firstIndex(of: adapter.target) ?? 0)))
    }

    @inline(__always)
    static func kept(_ key: UInt64, _ index: Int, _ p: Double) -> Bool {
        Double(mix(key &+ UInt64(index)) >> 11) * 0x1p-53 >= p
    }

    /// SplitMix64's finalizer: a counter-based hash, so a mask element needs no generator state.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension LlamaParameterLayout.Block {
    /// The offset of `target`'s `[out, in]` matrix inside the block's fused projections.
    func weight(_ target: LoRAConfiguration.Target, _ config: LlamaConfig) -> Int {
        switch target {
        case .q, .k, .v: qkv + target.outputOffset(config) * config.width
        case .o: attentionOutput
        case .gate, .up: gateUp + target.outputOffset(config) * config.width
        case .down: down
        }
    }
}
