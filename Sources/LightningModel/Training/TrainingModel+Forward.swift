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
        batch.tokens.withUnsafeBufferPointer { tokens in
            for r in 0..<n {
                let te = p + layout.tokenEmbedding + Int(tokens[r]) * c
                let pe = p + layout.positionEmbedding + (r % t) * c
                let x = x0 + r * c
                for i in 0..<c { x[i] = te[i] + pe[i] }
            }
        }
        for l in 0..<config.layers {
            let w = layout.blocks[l], a = arena.blocks[l]
            let x = arena.residuals[l]
            LayerNormKernel.forward(input: x, gain: p + w.ln1Gain, bias: p + w.ln1Bias, output: a.ln1,
                                    mean: a.ln1Mean, rstd: a.ln1Rstd, rows: n, width: c)
            LinearKernel.forward(input: a.ln1, rows: n, inFeatures: c, weight: p + w.qkvWeight,
                                 bias: p + w.qkvBias, outFeatures: 3 * c, output: a.qkv)
            for s in 0..<b {
                AttentionKernel.forward(qkv: a.qkv + s * t * 3 * c, output: a.attention + s * t * c,
                                        probs: a.probs + s * heads * t * t, time: t, width: c, heads: heads)
            }
            LinearKernel.forward(input: a.attention, rows: n, inFeatures: c, weight: p + w.projWeight,
                                 bias: p + w.projBias, outFeatures: c, output: a.residual2, residual: x)
            LayerNormKernel.forward(input: a.residual2, gain: p + w.ln2Gain, bias: p + w.ln2Bias, output: a.ln2,
                                    mean: a.ln2Mean, rstd: a.ln2Rstd, rows: n, width: c)
            LinearKernel.forward(input: a.ln2, rows: n, inFeatures: c, weight: p + w.fcWeight,
                                 bias: p + w.fcBias, outFeatures: 4 * c, output: a.fcPre)
            GELUKernel.forward(input: a.fcPre, output: a.fcAct, count: n * 4 * c)
            LinearKernel.forward(input: a.fcAct, rows: n, inFeatures: 4 * c, weight: p + w.fcProjWeight,
                                 bias: p + w.fcProjBias, outFeatures: c, output: arena.residuals[l + 1],
                                 residual: a.residual2)
        }
        LayerNormKernel.forward(input: arena.residuals[config.layers], gain: p + layout.finalGain,
                                bias: p + layout.finalBias, output: arena.lnf, mean: arena.lnfMean,
                                rstd: arena.lnfRstd, rows: n, width: c)
        BLAS.gemm(transB: true, m: n, n: config.vocabSize, k: c, a: arena.lnf, lda: c,
                  b: p + layout.tokenEmbedding, ldb: c, c: arena.logits, ldc: config.vocabSize)
        return arena
    }

    /// Log-softmax at the temperature (in place over the logits), target log-probabilities, entropy,
    /// and the value head, on valid positions only.
    func runHead(_ batch: TokenBatch, arena: ActivationArena, temperature: Float) -> ForwardResult {
        let t = batch.sequenceLength, n = batch.positionCount, v = config.vocabSize, c = config.width
        var logprobs = [Float](repeating: 0, count: n)
        var entropy = [Float](repeating: 0, count: n)
        for r in 0..<n where r % t < batch.length(r / t) {
            let row = arena.logits + r * v
            let h = SoftmaxKernel.logSoftmax(row, into: row, count: v, temperature: temperature)
            arena.entropy[r] = h
            entropy[r] = h
            logprobs[r] = row[Int(batch.targets[r])]
        }
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
