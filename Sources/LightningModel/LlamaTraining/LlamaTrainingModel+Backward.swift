extension LlamaTrainingModel {
    /// Accumulates into the parameter gradients the gradient of a loss whose derivatives with respect to
    /// the outputs of the last `forward` are `gradients` (`dValue` must be nil: the model has no value
    /// head). Padding positions are ignored. Consumes the forward pass.
    public func backward(_ gradients: OutputGradients) throws(ModelError) {
        guard let pending, let arena else {
            throw ModelError(.noForwardPass, "backward needs a forward pass first (each forward allows one backward)")
        }
        let batch = pending.batch, n = batch.positionCount
        guard gradients.dLogprob.count == n, (gradients.dEntropy?.count ?? n) == n else {
            throw ModelError(.invalidInput, "output gradients need \(n) entries each")
        }
        guard gradients.dValue == nil else { throw ModelError(.invalidInput, "dValue given but the model has no value head") }
        self.pending = nil
        backwardHead(batch, gradients, temperature: pending.temperature, arena: arena)
        for l in (0..<config.layers).reversed() {
            // The last block's activations are still in the set; the others are recomputed from their input.
            if arena.checkpointed && l != config.layers - 1 { blockForward(l, batch, arena, dropoutSeed: pending.dropoutSeed) }
            blockBackward(l, batch, arena, dropoutSeed: pending.dropoutSeed)
        }
        embeddingBackward(batch, arena)
    }

    /// The head, chunk by chunk (logits recomputed), then the final norm: into `arena.dResidual`.
    private func backwardHead(_ batch: TokenBatch, _ g: OutputGradients, temperature: Float, arena: LlamaActivationArena) {
        let n = batch.positionCount, v = config.vocabularySize, c = config.width
        let p = UnsafePointer(parameters.pointer), grad = baseGradients
        arena.dNormed.update(repeating: 0, count: n * c)
        forEachHeadChunk(batch.scoredPositions(), arena) { positions in
            let base = positions.startIndex
            pool.chunks(positions.count, work: positions.count * v * 12) { chunk, _ in
                for i in chunk {
                    let r = positions[base + i], row = arena.logits + i * v
                    let gl = g.dLogprob[r], ge = g.dEntropy?[r] ?? 0
                    if gl == 0 && ge == 0 {
                        row.update(repeating: 0, count: v)
                        continue
                    }
                    let entropy = SoftmaxKernel.logSoftmax(row, into: row, count: v, temperature: temperature)
                    SoftmaxKernel.logSoftmaxBackward(row, count: v, target: Int(batch.targets[r]), gLogprob: gl,
                                                     gEntropy: ge, entropy: entropy, temperature: temperature)
                }
            }
            ProjectionKernel.inputGradient(pool, dOutput: arena.logits, ldOutput: v, rows: positions.count, inFeatures: c,
                                           weight: p + layout.output, outFeatures: v, dInput: arena.dHeadInput, ldInput: c)
            for (i, r) in positions.enumerated() { (arena.dNormed + r * c).update(from: arena.dHeadInput + i * c, count: c) }
            if let grad {
                ProjectionKernel.weightGradient(pool, dOutput: arena.logits, ldOutput: v, input: arena.headInput, ldInput: c,
                                                rows: positions.count, inFeatures: c, outFeatures: v, dWeight: grad + layout.output)
            }
        }
        arena.dResidual.update(repeating: 0, count: n * c)
        RMSNormKernel.backward(pool, dOutput: arena.dNormed, input: arena.residuals[config.layers], gain: p + layout.finalNorm,
                               dInput: arena.dResidual, dGain: grad.map { $0 + layout.finalNorm }, scratch: arena.normScratch,
                               rows: n, width: c, epsilon: config.normEpsilon)
    }

    /// Block `l`: `arena.dResidual` goes from the gradient of the block's output to that of its input.
    private func blockBackward(_ l: Int, _ batch: TokenBatch, _ arena: LlamaActivationArena, dropoutSeed: UInt64) {
        let cfg = config, c = cfg.width, f = cfg.hiddenWidth, q = cfg.queryWidth, qkvWidth = q + 2 * cfg.kvWidth
        let t = batch.sequenceLength, n = batch.positionCount
        let p = UnsafePointer(parameters.pointer), grad = baseGradients, w = layout.blocks[l], a = arena.block(l)
        let dx = arena.dResidual, eps = cfg.normEpsilon
        /// Backward of one (possibly fused, possibly adapted) projection: weight gradient when the base
        /// trains, then `dInput = dY·W` plus the adapters' share.
        func projection(
            _ targets: [LoRAConfiguration.Target], dOutput: UnsafePointer<Float>, outFeatures: Int,
            input: UnsafePointer<Float>, inFeatures: Int, weight: Int, dInput: UnsafeMutablePointer<Float>
        ) {
            if let grad {
                ProjectionKernel.weightGradient(pool, dOutput: dOutput, ldOutput: outFeatures, input: input, ldInput: inFeatures,
                                                rows: n, inFeatures: inFeatures, outFeatures: outFeatures, dWeight: grad + weight)
            }
            ProjectionKernel.inputGradient(pool, dOutput: dOutput, ldOutput: outFeatures, rows: n, inFeatures: inFeatures,
                                           weight: p + weight, outFeatures: outFeatures, dInput: dInput, ldInput: inFeatures)
            adaptersBackward(l, targets, dOutput: dOutput, ldOutput: outFeatures, input: input, ldInput: inFeatures,
                             dInput: dInput, rows: n, arena: arena, seed: dropoutSeed)
        }
        // MLP: x_out = residual + down(swiglu(gateUp(norm(residual))))
        projection([.down], dOutput: dx, outFeatures: c, input: a.hidden, inFeatures: f, weight: w.down, dInput: arena.dHidden)
        SwiGLUKernel.backward(pool, dOutput: arena.dHidden, ldOutput: f, input: a.gateUp, ldInput: 2 * f,
                              dInput: arena.dGateUp, rows: n, width: f)
        projection([.gate, .up], dOutput: arena.dGateUp, outFeatures: 2 * f, input: a.mlpIn, inFeatures: c, weight: w.gateUp,
                   dInput: arena.dNormed)
        RMSNormKernel.backward(pool, dOutput: arena.dNormed, input: a.residual, gain: p + w.mlpNorm, dInput: dx,
                               dGain: grad.map { $0 + w.mlpNorm }, scratch: arena.normScratch, rows: n, width: c, epsilon: eps)
        // Attention: residual = x + o(attention(rope(qkv(norm(x)))))
        projection([.o], dOutput: dx, outFeatures: c, input: a.attention, inFeatures: q, weight: w.attentionOutput,
                   dInput: arena.dAttention)
        AttentionKernel.backward(pool, dOutput: arena.dAttention, qkv: a.qkv, probs: a.probs, dQKV: arena.dQKV,
                                 scratch: arena.dScores, sequences: batch.batchSize, time: t, heads: cfg.heads,
                                 kvHeads: cfg.kvHeads, headSize: cfg.headSize)
        addBiasAndRotate(arena.dQKV, bias: nil, rows: n, time: t, arena: arena, inverse: true)
        if let grad, let bias = w.qkvBias {
            let dBias = grad + bias, dQKV = UnsafePointer(arena.dQKV)
            pool.chunks(qkvWidth, alignment: 16, work: n * qkvWidth) { cols, _ in
                for r in 0..<n { for j in cols { dBias[j] += dQKV[r * qkvWidth + j] } }
            }
        }
        projection([.q, .k, .v], dOutput: arena.dQKV, outFeatures: qkvWidth, input: a.attentionIn, inFeatures: c,
                   weight: w.qkv, dInput: arena.dNormed)
        RMSNormKernel.backward(pool, dOutput: arena.dNormed, input: arena.residuals[l], gain: p + w.attentionNorm,
                               dInput: dx, dGain: grad.map { $0 + w.attentionNorm }, scratch: arena.normScratch, rows: n,
                               width: c, epsilon: eps)
    }

    /// The input embedding rows: each worker owns a range of columns, so repeated tokens add up without races.
    private func embeddingBackward(_ batch: TokenBatch, _ arena: LlamaActivationArena) {
        let n = batch.positionCount, c = config.width
        guard let grad = baseGradients else { return }
        let dE = grad + layout.tokenEmbedding, dx = UnsafePointer(arena.dResidual)
        let tokens = batch.tokens
        pool.chunks(c, alignment: 16, work: n * c) { cols, _ in
            for r in 0..<n {
                let row = dE + Int(tokens[r]) * c, d = dx + r * c
                for i in cols { row[i] += d[i] }
            }
        }
    }
}
