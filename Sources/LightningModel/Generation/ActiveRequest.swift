/// A request admitted to the engine (engine thread only).
final class ActiveRequest {
    /// One choice: a KV cache slot, its sampler state and its text.
    struct Choice {
        let index: Int
        let slot: Int
        var rng: SeededGenerator
        var generated = 0
        /// Tokens held in the slot's cache.
        var cached = 0
        var text: TextAccumulator
        var finished = false
    }

    let id: UInt64
    let request: GenerationRequest
    /// The prompt in memory of its own, so prefill chunks can point into it.
    let prompt: UnsafeMutableBufferPointer<Int32>
    let weights: any DecoderWeights
    let version: Int
    let continuation: EngineInbox.Continuation
    var choices: [Choice]
    /// Prompt tokens prefilled into the first choice's slot so far.
    var prefilled = 0
    var unfinished: Int
    var completionTokens = 0

    init(_ submission: EngineInbox.Submission, slots: [Int], vocabulary: TokenVocabulary) {
        id = submission.id
        request = submission.request
        prompt = .allocate(capacity: submission.request.prompt.count)
        _ = prompt.initialize(from: submission.request.prompt)
        weights = submission.weights
        version = submission.version
        continuation = submission.continuation
        let seed = submission.request.seed ?? UInt64.random(in: 0...UInt64.max)
        choices = slots.enumerated().map { index, slot in
            Choice(index: index, slot: slot, rng: SeededGenerator(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15),
                   text: TextAccumulator(stops: submission.request.stop, vocabulary: vocabulary))
        }
        unfinished = slots.count
    }

    deinit {
        prompt.deallocate()
    }

    var isPrefilling: Bool { prefilled < prompt.count }
}
