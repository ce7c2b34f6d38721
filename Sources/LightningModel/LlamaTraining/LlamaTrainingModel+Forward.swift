extension LlamaTrainingModel {
    /// Runs the model on `batch` and returns, per position, the log-probability of the target token
    /// under `log_softmax(logits / temperature)` and the entropy of that distribution. Keeps what one
    /// following `backward` needs.
    public func forward(_ batch: TokenBatch, temperature: Float = 1) throws(ModelError) -> ForwardResult {
        try batch.validate(context: config.context, vocabularySize: config.vocabularySize)
        guard temperature > 0, temperature.isFinite else {
            throw ModelError(.invalidInput, "temperature must be positive, got \(temperature)")
        }
        forwardCount += 1
        let seed = Self.mix(UInt64(optimizerStep) << 32 ^ forwardCount)  // fresh masks after a restore too
        let arena = runTrunk(batch, dropoutSeed: seed)
        let n = batch.positionCount, v = config.vocabularySize
        arena.logprobs.update(repeating: 0, count: n)
        arena.entropy.update(repeating: 0, count: n)
        forEachHeadChunk(batch.scoredPositions(), arena) { positions in
            let base = positions.startIndex
            pool.chunks(positions.count, work: positions.count * v * 8) { chunk, _ in
                for i in chunk {
                    let r = positions[base + i], row = arena.logits + i * v
                    arena.entropy[r] = SoftmaxKernel.logSoftmax(row, into: row, count: v, temperature: temperature)
                    arena.logprobs[r] = row[Int(batch.targets[r])]
                }
            }
        }
        pending = PendingForward(batch: batch, temperature: temperature, dropoutSeed: seed)
        return ForwardResult(logprobs: Array(UnsafeBufferPointer(start: arena.logprobs, count: n)),
                             entropy: Array(UnsafeBufferPointer(start: arena.entropy, count: n)), values: nil)
    }

    /// Raw logits `[batchSize · sequenceLength, vocabularySize]` of every position (evaluation and
    /// tests). Discards the activations of an earlier `forward`.
    public func logits(_ batch: TokenBatch) throws(ModelError) -> [Float] {
        try batch.validate(context: config.context, vocabularySize: config.vocabularySize)
        pending = nil
        let arena = runTrunk(batch, dropoutSeed: nil)
        let v = config.vocabularySize
        var out = [Float](repeating: 0, count: batch.positionCount * v)
        forEachHeadChunk(Array(0..<batch.positionCount), arena) { positions in
            for (i, r) in positions.enumerated() { for j in 0..<v { out[r * v + j] = arena.logits[i * v + j] } }
        }
        return out
    }

    /// Embeddings, the blocks and the final norm (into `arena.normed`). Without a dropout seed, LoRA
    /// dropout is off (evaluation).
    func runTrunk(_ batch: TokenBatch, dropoutSeed: UInt64?) -> LlamaActivationArena {
        let b = batch.batchSize, t = batch.sequenceLength, n = b * t, c = config.width
        let arena = arena(batch: b, time: t)
        let p = UnsafePointer(parameters.pointer), x0 = arena.residuals[0]
        batch.tokens.withUnsafeBufferPointer { tokens in
            for r in 0..<n { (x0 + r * c).update(from: p + layout.tokenEmbedding + Int(tokens[r]) * c, count: c) }
        }
        let positions = (0..<Int32(t)).map { $0 }
        positions.withUnsafeBufferPointer {
            rotary.angles(positions: $0.baseAddress!, count: t, cos: arena.cosines, sin: arena.sines)
        }
        for l in 0..<config.layers { blockForward(l, batch, arena, dropoutSeed: dropoutSeed) }
        RMSNormKernel.forward(pool, input: arena.residuals[config.layers], gain: p + layout.finalNorm,
                              output: arena.normed, rows: n, width: c, ld: c, epsilon: config.normEpsilon)
        return arena
    }

    /// Block `l` from `residuals[l]` to `residuals[l + 1]`, keeping its activations in its set.
    func blockForward(_ l: Int, _ batch: TokenBatch, _ arena: LlamaActivationArena, dropoutSeed: UInt64?) {
        let cfg = config, c = cfg.width, f = cfg.hiddenWidth, q = cfg.queryWidth
        let t = batch.sequenceLength, n = batch.positionCount, qkvWidth = q + 2 * cfg.kvWidth
        let p = UnsafePointer(parameters.pointer), w = layout.blocks[l], a = arena.block(l)
        let x = arena.residuals[l], next = arena.residuals[l + 1]
        RMSNormKernel.forward(pool, input: x, gain: p + w.attentionNorm, output: a.attentionIn, rows: n, width: c, ld: c,
                              epsilon: cfg.normEpsilon)
        ProjectionKernel.forward(pool, input: a.attentionIn, ldInput: c, rows: n, inFeatures: c, weight: p + w.qkv,
                                 outFeatures: qkvWidth, output: a.qkv, ldOutput: qkvWidth)
        adaptersForward(l, [.q, .k, .v], input: a.attentionIn, ldInput: c, output: a.qkv, ldOutput: qkvWidth, rows: n,
                        arena: arena, seed: dropoutSeed)
        addBiasAndRotate(a.qkv, bias: w.qkvBias.map { p + $0 }, rows: n, time: t, arena: arena, inverse: false)
        AttentionKernel.forward(pool, qkv: a.qkv, output: a.attention, probs: a.probs, sequences: batch.batchSize, time: t,
                                heads: cfg.heads, kvHeads: cfg.kvHeads, headSize: cfg.headSize)
        a.residual.update(from: x, count: n * c)
        ProjectionKernel.forward(pool, input: a.attention, ldInput: q, rows: n, inFeatures: q, weight: p + w.attentionOutput,
                                 outFeatures: c, output: a.residual, ldOutput: c, accumulate: true)
        adaptersForward(l, [.o], input: a.attention, ldInput: q, output: a.residual, ldOutput: c, rows: n, arena: arena,
                        seed: dropoutSeed)
        RMSNormKernel.forward(pool, input: a.residual, gain: p + w.mlpNorm, output: a.mlpIn, rows: n, width: c, ld: c,
                              epsilon: cfg.normEpsilon)
        ProjectionKernel.forward(pool, input: a.mlpIn, ldInput: c, rows: n, inFeatures: c, weight: p + w.gateUp,
                                 outFeatures: 2 * f, output: a.gateUp, ldOutput: 2 * f)
        adaptersForward(l, [.gate, .up], input: a.mlpIn, ldInput: c, output: a.gateUp, ldOutput: 2 * f, rows: n,
                        arena: arena, seed: dropoutSeed)
        SwiGLUKernel.forward(pool, input: a.gateUp, ldInput: 2 * f, output: a.hidden, ldOutput: f, rows: n, width: f)
        next.update(from: a.residual, count: n * c)
        ProjectionKernel.forward(pool, input: a.hidden, ldInput: f, rows: n, inFeatures: f, weight: p + w.down,
                                 outFeatures: c, output: next, ldOutput: c, accumulate: true)
        adaptersForward(l, [.down], input: a.hidden, ldInput: f, output: next, ldOutput: c, rows: n, arena: arena,
                        seed: dropoutSeed)
    }

    /// Forward: adds the query/key/value biases, then rotates the query and key heads of every row by
    /// its position (`row % time`). Backward (`inverse`): rotates gradients back (biases need nothing).
    func addBiasAndRotate(_ qkv: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, time: Int,
                          arena: LlamaActivationArena, inverse: Bool) {
        let cfg = config, width = cfg.queryWidth + 2 * cfg.kvWidth, half = cfg.rope.dimensions / 2
        let rotary = rotary, cosines = arena.cosines, sines = arena.sines
        pool.chunks(rows, work: rows * width * 4) { range, _ in
            for r in range {
                let row = qkv + r * width, angle = (r % time) * half
                if let bias { for i in 0..<width { row[i] += bias[i] } }
                rotary.rotate(row, heads: cfg.heads, headSize: cfg.headSize, cos: cosines + angle, sin: sines + angle,
                              inverse: inverse)
                rotary.rotate(row + cfg.queryWidth, heads: cfg.kvHeads, headSize: cfg.headSize, cos: cosines + angle,
                              sin: sines + angle, inverse: inverse)
            }
        }
    }

    /// Calls `body` once per run of at most `arena.headRows` of `positions`, with those positions' rows
    /// of `normed` gathered into `arena.headInput` and their logits (`headInput · outputᵀ`) in `arena.logits`.
    func forEachHeadChunk(_ positions: [Int], _ arena: LlamaActivationArena, _ body: (ArraySlice<Int>) -> Void) {
        let c = config.width, v = config.vocabularySize
        let output = UnsafePointer(parameters.pointer) + layout.output
        for start in stride(from: 0, to: positions.count, by: arena.headRows) {
            let chunk = positions[start..<min(positions.count, start + arena.headRows)]
            for (i, r) in chunk.enumerated() { (arena.headInput + i * c).update(from: arena.normed + r * c, count: c) }
            ProjectionKernel.forward(pool, input: arena.headInput, ldInput: c, rows: chunk.count, inFeatures: c,
                                     weight: output, outFeatures: v, output: arena.logits, ldOutput: v)
            body(chunk)
        }
    }
}
