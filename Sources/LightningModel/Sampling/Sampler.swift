/// Picks tokens from logits. The reported log-probability of a token is always that of
/// `log_softmax(logits / temperature)` over the whole vocabulary (with temperature 0: of
/// `log_softmax(logits)`), before any top-k / top-p filtering, which is what PPO's importance ratio
/// and the OpenAI `logprobs` field expect. `topLogprobs` come from the same distribution.
struct Sampler {
    private var logprobs: [Float]
    private var order: [Int32]

    init(vocabularySize: Int) {
        logprobs = [Float](repeating: 0, count: vocabularySize)
        order = (0..<Int32(vocabularySize)).map { $0 }
    }

    /// Chooses the next token from one row of logits; uses `rng` once unless greedy.
    mutating func sample(
        logits: UnsafePointer<Float>, parameters: SamplingParameters, topLogprobs: Int,
        rng: inout SeededGenerator
    ) -> (token: TokenLogprob, alternatives: [TokenLogprob]) {
        let v = logprobs.count
        let greedy = parameters.temperature <= 0
        let temperature = greedy ? 1 : parameters.temperature
        logprobs.withUnsafeMutableBufferPointer { lp in
            _ = SoftmaxKernel.logSoftmax(logits, into: lp.baseAddress!, count: v, temperature: temperature)
        }
        let chosen: Int
        if greedy {
            chosen = argmax()
        } else if parameters.topK > 0 || parameters.topP < 1 {
            chosen = sampleFiltered(parameters, rng: &rng)
        } else {
            chosen = sampleFull(rng: &rng)
        }
        return (TokenLogprob(token: Int32(chosen), logprob: logprobs[chosen]), alternatives(topLogprobs))
    }

    private func argmax() -> Int {
        var best = 0
        for i in 1..<logprobs.count where logprobs[i] > logprobs[best] { best = i }
        return best
    }

    private func sampleFull(rng: inout SeededGenerator) -> Int {
        var total: Double = 0
        for lp in logprobs { total += Double(VectorMath.exp(lp)) }
        let u = rng.nextUnit() * total
        var cumulative: Double = 0
        for (i, lp) in logprobs.enumerated() {
            cumulative += Double(VectorMath.exp(lp))
            if u < cumulative { return i }
        }
        return argmax()  // u landed on the rounding slack at the end
    }

    private mutating func sampleFiltered(_ parameters: SamplingParameters, rng: inout SeededGenerator) -> Int {
        sortByLogprob()
        var keep = parameters.topK > 0 ? min(parameters.topK, order.count) : order.count
        if parameters.topP < 1 {
            var cumulative: Double = 0
            for rank in 0..<keep {
                cumulative += Double(VectorMath.exp(logprobs[Int(order[rank])]))
                if cumulative >= Double(parameters.topP) {
                    keep = rank + 1
                    break
                }
            }
        }
        var total: Double = 0
        for rank in 0..<keep { total += Double(VectorMath.exp(logprobs[Int(order[rank])])) }
        let u = rng.nextUnit() * total
        var cumulative: Double = 0
        for rank in 0..<keep {
            cumulative += Double(VectorMath.exp(logprobs[Int(order[rank])]))
            if u < cumulative { return Int(order[rank]) }
        }
        return Int(order[0])
    }

    /// Orders token ids by decreasing log-probability, ties by id (repeatable).
    private mutating func sortByLogprob() {
        let lp = logprobs
        order.sort { lp[Int($0)] != lp[Int($1)] ? lp[Int($0)] > lp[Int($1)] : $0 < $1 }
    }

    private func alternatives(_ count: Int) -> [TokenLogprob] {
        guard count > 0 else { return [] }
        var best: [TokenLogprob] = []
        best.reserveCapacity(count + 1)
        for (i, lp) in logprobs.enumerated() {
            if best.count == count, let last = best.last, lp <= last.logprob { continue }
            let entry = TokenLogprob(token: Int32(i), logprob: lp)
            let at = best.firstIndex { $0.logprob < lp } ?? best.count
            best.insert(entry, at: at)
            if best.count > count { best.removeLast() }
        }
        return best
    }
}
