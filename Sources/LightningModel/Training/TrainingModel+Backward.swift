extension TrainingModel {
    /// Accumulates into the parameter gradients the gradient of a loss whose derivatives with respect to
    /// the outputs of the last `forward` are `gradients`. Padding positions are ignored. Consumes the
    /// forward pass: call `forward` again before the next `backward`.
    public func backward(_ gradients: OutputGradients) throws(ModelError) {
        guard let pending, let arena else {
            throw ModelError(.noForwardPass, "backward needs a forward pass first (each forward allows one backward)")
        }
        let batch = pending.batch
        let n = batch.positionCount
        guard gradients.dLogprob.count == n, (gradients.dEntropy?.count ?? n) == n,
              (gradients.dValue?.count ?? n) == n else {
            throw ModelError(.invalidInput, "output gradients need \(n) entries each")
        }
        if gradients.dValue != nil, layout.valueWeight == nil {
            throw ModelError(.invalidInput, "dValue given but the model has no value head")
        }
        self.pending = nil
        backwardHead(batch, gradients, temperature: pending.temperature, arena: arena)
        backwardBlocks(batch, arena: arena)
    }

    /// Head: logits and value head back to the final residual stream (into `arena.dResidual`).
    private func backwardHead(_ batch: TokenBatch, _ g: OutputGradients, temperature: Float, arena: ActivationArena) {
        let t = batch.sequenceLength, n = batch.positionCount, v = config.vocabSize, c = config.width
        let p = UnsafePointer(parameters.pointer), grad = self.gradients.pointer
        pool.chunks(n, alignment: 8) { range, _ in
            for r in range {
                let row = arena.logits + r * v
                let valid = r % t < batch.length(r / t)
                let gl = valid ? g.dLogprob[r] : 0, ge = valid ? (g.dEntropy?[r] ?? 0) : 0
                if gl == 0 && ge == 0 {
                    row.update(repeating: 0, count: v)
                } else {
                    SoftmaxKernel.logSoftmaxBackward(row, count: v, target: Int(batch.targets[r]), gLogprob: gl,
                                                     gEntropy: ge, entropy: arena.entropy[r], temperature: temperature)
                }
            }
        }
        // dlnf = dlogits·wte (split by rows) ; dwte += dlogitsᵀ·lnf (split by embedding columns)
        let wte = p + layout.tokenEmbedding, dwte = grad + layout.tokenEmbedding
        pool.chunks(n, alignment: 4) { rows, _ in
            BLAS.gemm(m: rows.count, n: c, k: v, a: arena.logits + rows.lowerBound * v, lda: v, b: wte, ldb: c,
                      c: arena.dSmall + rows.lowerBound * c, ldc: c)
        }
        pool.chunks(c, alignment: 16) { cols, _ in
            BLAS.gemm(transA: true, m: v, n: cols.count, k: n, a: arena.logits, lda: v, b: arena.lnf + cols.lowerBound,
                      ldb: c, beta: 1, c: dwte + cols.lowerBound, ldc: c)
        }
        if let dValue = g.dValue, let vw = layout.valueWeight, let vb = layout.valueBias {
            let dv = arena.values  // reuse: the forward values are no longer needed
            var total: Float = 0
            for r in 0..<n {
                dv[r] = r % t < batch.length(r / t) ? dValue[r] : 0
                total += dv[r]
            }
            BLAS.gemm(m: n, n: c, k: 1, a: dv, lda: 1, b: p + vw, ldb: c, beta: 1, c: arena.dSmall, ldc: c)
            BLAS.gemm(transA: true, m: c, n: 1, k: n, a: arena.lnf, lda: c, b: dv, ldb: 1, beta: 1,
                      c: grad + vw, ldc: 1)
            grad[vb] += total
        }
        arena.dResidual.update(repeating: 0, count: n * c)
        LayerNormKernel.backward(pool, dOutput: arena.dSmall, input: arena.residuals[config.layers],
                                 gain: p + layout.finalGain, mean: arena.lnfMean, rstd: arena.lnfRstd,
                                 dInput: arena.dResidual, dGain: grad + layout.finalGain,
                                 dBias: grad + layout.finalBias, scratch: arena.lnScratch, rows: n, width: c)
    }

    /// The blocks in reverse, then the embeddings.
    private func backwardBlocks(_ batch: TokenBatch, arena: ActivationArena) {
        let b = batch.batchSize, t = batch.sequenceLength, n = b * t
        let c = config.width, heads = config.heads
        let p = UnsafePointer(parameters.pointer), grad = gradients.pointer
        let dx = arena.dResidual, dSmall = arena.dSmall, dBig = arena.dBig
        for l in (0..<config.layers).reversed() {
            let w = layout.blocks[l], a = arena.blocks[l]
            // MLP
            LinearKernel.backward(pool, dOutput: dx, input: a.fcAct, rows: n, inFeatures: 4 * c, weight: p + w.fcProjWeight,
                                  outFeatures: c, dInput: dBig, dWeight: grad + w.fcProjWeight,
                                  dBias: grad + w.fcProjBias)
            GELUKernel.backward(pool, dOutput: dBig, input: a.fcPre, dInput: dBig, count: n * 4 * c)
            LinearKernel.backward(pool, dOutput: dBig, input: a.ln2, rows: n, inFeatures: c, weight: p + w.fcWeight,
                                  outFeatures: 4 * c, dInput: dSmall, dWeight: grad + w.fcWeight,
                                  dBias: grad + w.fcBias)
            LayerNormKernel.backward(pool, dOutput: dSmall, input: a.residual2, gain: p + w.ln2Gain, mean: a.ln2Mean,
                                     rstd: a.ln2Rstd, dInput: dx, dGain: grad + w.ln2Gain, dBias: grad + w.ln2Bias,
                                     scratch: arena.lnScratch, rows: n, width: c)
            // Attention
            LinearKernel.backward(pool, dOutput: dx, input: a.attention, rows: n, inFeatures: c, weight: p + w.projWeight,
                                  outFeatures: c, dInput: dSmall, dWeight: grad + w.projWeight,
                                  dBias: grad + w.projBias)
            AttentionKernel.backward(pool, dOutput: dSmall, qkv: a.qkv, probs: a.probs, dQKV: arena.dQKV,
                                     scratch: arena.dScores, sequences: b, time: t, heads: heads, kvHeads: heads,
                                     headSize: c / heads)
            LinearKernel.backward(pool, dOutput: arena.dQKV, input: a.ln1, rows: n, inFeatures: c, weight: p + w.qkvWeight,
                                  outFeatures: 3 * c, dInput: dSmall, dWeight: grad + w.qkvWeight,
                                  dBias: grad + w.qkvBias)
            LayerNormKernel.backward(pool, dOutput: dSmall, input: arena.residuals[l], gain: p + w.ln1Gain,
                                     mean: a.ln1Mean, rstd: a.ln1Rstd, dInput: dx, dGain: grad + w.ln1Gain,
                                     dBias: grad + w.ln1Bias, scratch: arena.lnScratch, rows: n, width: c)
        }
        batch.tokens.withUnsafeBufferPointer { tokens in
            for r in 0..<n {
                let te = grad + layout.tokenEmbedding + Int(tokens[r]) * c
                let pe = grad + layout.positionEmbedding + (r % t) * c
                let d = dx + r * c
                for i in 0..<c {
                    te[i] += d[i]
                    pe[i] += d[i]
                }
            }
        }
    }
}
