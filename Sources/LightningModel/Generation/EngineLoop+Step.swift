extension EngineLoop {
    /// One shared step: a token for every running choice plus prompt chunks within the prefill budget,
    /// one model pass per distinct weights (two only while a weights swap is in flight).
    func step() {
        stepWeights.removeAll(keepingCapacity: true)
        for request in active where !stepWeights.contains(where: { $0 === request.weights }) {
            stepWeights.append(request.weights)
        }
        var budget = configuration.maxPrefillTokensPerStep
        var rows = 0, generated = 0
        for weights in stepWeights {
            stepChunks.removeAll(keepingCapacity: true)
            stepOwners.removeAll(keepingCapacity: true)
            for request in active where request.weights === weights {
                if request.isPrefilling {
                    guard budget > 0 else { continue }
                    let count = min(budget, request.prompt.count - request.prefilled)
                    budget -= count
                    let tokens = UnsafeBufferPointer(rebasing: request.prompt[request.prefilled..<(request.prefilled + count)])
                    stepChunks.append(.init(slot: request.choices[0].slot, start: request.prefilled, tokens: tokens))
                    stepOwners.append(.prefill(request, count: count))
                } else {
                    for choice in request.choices where !choice.finished {
                        // The cache must hold the new position; when it cannot grow, the choice ends here.
                        guard runner.reserve(slot: choice.slot, positions: choice.cached + 1) else {
                            finish(request, choice: choice.index, reason: .length)
                            continue
                        }
                        let token = UnsafeBufferPointer(rebasing: slotTokens[choice.slot...choice.slot])
                        stepChunks.append(.init(slot: choice.slot, start: choice.cached, tokens: token))
                        stepOwners.append(.decode(request, choice: choice.index))
                    }
                }
            }
            guard !stepChunks.isEmpty else { continue }
            _ = runner.run(weights: weights, chunks: stepChunks, allRows: false)
            for chunk in stepChunks { rows += chunk.tokens.count }
            for (row, owner) in stepOwners.enumerated() {
                let logits = UnsafePointer(runner.logits + row * shape.vocabularySize)
                switch owner {
                case .prefill(let request, let count):
                    request.prefilled += count
                    guard !request.isPrefilling else { continue }
                    let promptLength = request.prompt.count
                    for i in request.choices.indices {
                        runner.copy(from: request.choices[0].slot, to: request.choices[i].slot, positions: promptLength)
                        request.choices[i].cached = promptLength
                        sampleAndEmit(request, choice: i, logits: logits)
                        generated += 1
                    }
                case .decode(let request, let choice):
                    request.choices[choice].cached += 1
                    sampleAndEmit(request, choice: choice, logits: logits)
                    generated += 1
                }
            }
        }
        stepOwners.removeAll(keepingCapacity: true)  // drop the request references
        active.removeAll { $0.unfinished == 0 }
        inbox.recordStep(rows: rows, generated: generated, running: active.reduce(0) { $0 + $1.unfinished })
    }

    private func sampleAndEmit(_ request: ActiveRequest, choice i: Int, logits: UnsafePointer<Float>) {
        let r = request.request
        let (token, alternatives) = sampler.sample(
            logits: logits, parameters: r.sampling, topLogprobs: r.topLogprobs, rng: &request.choices[i].rng)
        request.choices[i].generated += 1
        slotTokens[request.choices[i].slot] = token.token
        request.completionTokens += 1
        let stopString = request.choices[i].text.append(token.token)
        let stopped = stopString || r.stopTokens.contains(token.token)
        let text = request.choices[i].text.releasable()
        request.continuation.yield(.token(GeneratedToken(
            choice: i, token: token.token, logprob: token.logprob, topLogprobs: alternatives, text: text)))
        let generated = request.choices[i].generated
        if stopped {
            finish(request, choice: i, reason: .stop)
        } else if generated >= r.maxTokens || request.prompt.count + generated >= shape.contextLength {
            finish(request, choice: i, reason: .length)
        }
    }

    private func finish(_ request: ActiveRequest, choice i: Int, reason: FinishReason) {
        request.choices[i].finished = true
        releaseSlot(request.choices[i].slot)
        let rest = request.choices[i].text.finish()
        request.continuation.yield(.choiceFinished(choice: i, reason: reason, text: rest))
        request.unfinished -= 1
        if request.unfinished == 0 {
            let usage = GenerationUsage(promptTokens: request.prompt.count, completionTokens: request.completionTokens)
            request.continuation.yield(.completed(usage: usage, weightsVersion: request.version))
            request.continuation.finish()
        }
    }
}
