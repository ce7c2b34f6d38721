extension TrainingModel {
    /// Runs the model on `batch` and returns, per position, the log-probability of the target token
    /// under `log_softmax(logits / temperature)`, the entropy of that distribution and (with a value
    /// head) the value. Keeps the activations for one following `backward`.
    public func forward(_ batch: TokenBatch, temperature: Float = 1) throws(ModelError) -> ForwardResult {
        try batch.validate(config)
        guard temperature > 0, temperature.isFinite else {
            throw ModelError(.invalidInput, "temperature must be positive, got \(temperature)")
        }
        let arena = runTrunk(batch)
        let result = runHead(batch, arena: arena, temperature: temperature)
        pending = PendingForward(batch: batch, temperature: temperature)
        return result
    }

    /// Raw logits `[batchSize · sequenceLength, vocabSize]` of every position (evaluation and tests).
    /// Discards the activations of an earlier `forward`.
    public func logits(_ batch: TokenBatch) throws(ModelError) -> [Float] {
        try batch.validate(config)
        pending = nil
        let arena = runTrunk(batch)
        return Array(UnsafeBufferPointer(start: arena.logits, count: batch.positionCount * config.vocabSize))
    }

    /// Embeddings, the blocks, the final LayerNorm and the logits, all kept in the arena.
    func runTrunk(_ batch: TokenBatch) -> ActivationArena {
        let b = batch.batchSize, t = batch.sequenceLength, n = b * t
        let c = config.width, heads = config.heads
        let arena = arena(batch: b, time: t)
        let p = UnsafePointer(parameters.pointer)
        let x0 = arena.residuals[0]
        let wte = p + layout.tokenEmbedding, wpe = p + layout.positionEmbedding
        batch.tokens.withUnsafeBufferPointer { tokens in
            pool.chunks(n, alignment: 8) { range, _ in
                for r in range {
                    let te = wte + Int(tokens[r]) * c, pe = wpe + (r % t) * c
                    let x = x0 + r * c
                    for i in 0..<c { x[i] = te[i] + pe[i] }
                }
            }
        }
        for l in 0..<config.layers {
            let w = layout.blocks[l], a = arena.blocks[l]
            let x = arena.residuals[l]
            LayerNormKernel.forward(pool, input: x, gain: p + w.ln1Gain, bias: p + w.ln1Bias, output: a.ln1,
                                    mean: a.ln1Mean, rstd: a.ln1Rstd, rows: n, width: c)
            LinearKernel.forward(pool, input: a.ln1, rows: n, inFeatures: c, weight: p + w.qkvWeight,
                                 bias: p + w.qkvBias, outFeatures: 3 * c, output: a.qkv)
            AttentionKernel.forward(pool, qkv: a.qkv, output: a.attention, probs: a.probs, sequences: b,
                                    time: t, heads: heads, kvHeads: heads, headSize: c / heads)
            LinearKernel.forward(pool, input: a.attention, rows: n, inFeatures: c, weight: p + w.projWeight,
                                 bias: p + w.projBias, outFeatures: c, output: a.residual2, residual: x)
            LayerNormKernel.forward(pool, input: a.residual2, gain: p + w.ln2Gain, bias: p + w.ln2Bias, output: a.ln2,
                                    mean: a.ln2Mean, rstd: a.ln2Rstd, rows: n, width: c)
            LinearKernel.forward(pool, input: a.ln2, rows: n, inFeatures: c, weight: p + w.fcWeight,
                                 bias: p + w.fcBias, outFeatures: 4 * c, output: a.fcPre)
            GELUKernel.forward(pool, input: a.fcPre, output: a.fcAct, count: n * 4 * c)
            LinearKernel.forward(pool, input: a.fcAct, rows: n, inFeatures: 4 * c, weight: p + w.fcProjWeight,
                                 bias: p + w.fcProjBias, outFeatures: c, output: arena.residuals[l + 1],
                                 residual: a.residual2)
        }
        LayerNormKernel.forward(pool, input: arena.residuals[config.layers], gain: p + layout.finalGain,
                                bias: p + layout.finalBias, output: arena.lnf, mean: arena.lnfMean,
                                rstd: arena.lnfRstd, rows: n, width: c)
        let v = config.vocabSize
        pool.chunks(n, alignment: 4) { rows, _ in
            BLAS.gemm(transB: true, m: rows.count, n: v, k: c, a: arena.lnf + rows.lowerBound * c, lda: c,
                      b: wte, ldb: c, c: arena.logits + rows.lowerBound * v, ldc: v)
        }
        return arena
    }

    /// Log-softmax at the temperature (in place over the logits), target log-probabilities, entropy,
    /// and the value head, on valid positions only.
    func runHead(_ batch: TokenBatch, arena: ActivationArena, temperature: Float) -> ForwardResult {
        let t = batch.sequenceLength, n = batch.positionCount, v = config.vocabSize, c = config.width
        batch.targets.withUnsafeBufferPointer { targets in
            pool.chunks(n, alignment: 8) { range, _ in
                for r in range {
                    guard r % t < batch.length(r / t) else {
                        arena.entropy[r] = 0
                        arena.logprobs[r] = 0
                        continue
                    }
                    let row = arena.logits + r * v
                    arena.entropy[r] = SoftmaxKernel.logSoftmax(row, into: row, count: v, temperature: temperature)
                    arena.logprobs[r] = row[Int(targets[r])]
                }
            }
        }
        let logprobs = Array(UnsafeBufferPointer(start: arena.logprobs, count: n))
        let entropy = Array(UnsafeBufferPointer(start: arena.entropy, count: n))
        var values: [Float]?
        if let vw = layout.valueWeight, let vb = layout.valueBias {
            let p = UnsafePointer(parameters.pointer)
            BLAS.gemm(m: n, n: 1, k: c, a: arena.lnf, lda: c, b: p + vw, ldb: 1, c: arena.values, ldc: 1)
            var out = [Float](repeating: 0, count: n)
            for r in 0..<n where r % t < batch.length(r / t) { out[r] = arena.values[r] + p[vb] }
            values = out
        }
        return ForwardResult(logprobs: logprobs, entropy: entropy, values: values)
    }
}
