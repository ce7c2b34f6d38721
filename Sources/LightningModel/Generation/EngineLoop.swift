/// The engine thread's loop: takes submissions, admits them into free KV cache slots, runs shared
/// steps and streams events. Confined to the engine thread.
final class EngineLoop {
    let shape: EngineShape
    let configuration: GenerationEngine.Configuration
    let inbox: EngineInbox
    let runner: any DecoderRunner
    var sampler: Sampler
    var freeSlots: [Int]
    var waiting: [EngineInbox.Submission] = []
    var active: [ActiveRequest] = []
    /// The last sampled token of each slot: decode chunks point here.
    let slotTokens: UnsafeMutableBufferPointer<Int32>
    // Reused by every step so that building a step allocates nothing.
    var stepWeights: [any DecoderWeights] = []
    var stepChunks: [DecoderChunk] = []
    var stepOwners: [StepOwner] = []

    /// What a chunk's logits row is for.
    enum StepOwner {
        case prefill(ActiveRequest, count: Int)
        case decode(ActiveRequest, choice: Int)
    }

    init(shape: EngineShape, runner: any DecoderRunner, configuration: GenerationEngine.Configuration, inbox: EngineInbox) {
        self.shape = shape
        self.configuration = configuration
        self.inbox = inbox
        self.runner = runner
        sampler = Sampler(vocabularySize: shape.vocabularySize)
        freeSlots = Array((0..<configuration.maxSequences).reversed())
        slotTokens = .allocate(capacity: configuration.maxSequences)
        slotTokens.initialize(repeating: 0)
    }

    deinit {
        slotTokens.deallocate()
    }

    func run() {
        while true {
            let work = inbox.take(idle: active.isEmpty && waiting.isEmpty)
            waiting += work.submissions
            if !work.cancelled.isEmpty { cancel(work.cancelled) }
            if work.stopping {
                failAll(ModelError(.engineStopped, "the generation engine has shut down"))
                return
            }
            admit()
            if !active.isEmpty { step() }
        }
    }

    /// Admits waiting requests in order while their choices fit in the free slots and the cache holds
    /// each choice's prompt and first token.
    private func admit() {
        while let next = waiting.first, freeSlots.count >= next.request.n {
            let positions = next.request.prompt.count + 1
            guard runner.canReserve(positions: positions, slots: next.request.n) else {
                if active.isEmpty {
                    // Nothing will free cache: the request can never run on this engine.
                    waiting.removeFirst()
                    next.continuation.finish(throwing: ModelError(
                        .promptTooLong, "the prompt needs \(positions * next.request.n) cache positions; the KV cache holds fewer"))
                    continue
                }
                return
            }
            waiting.removeFirst()
            let slots = (0..<next.request.n).map { _ in freeSlots.removeLast() }
            for slot in slots { _ = runner.reserve(slot: slot, positions: positions) }
            active.append(ActiveRequest(next, slots: slots, vocabulary: shape.vocabulary))
        }
    }

    private func cancel(_ ids: Set<UInt64>) {
        waiting.removeAll { submission in
            guard ids.contains(submission.id) else { return false }
            submission.continuation.finish()
            return true
        }
        active.removeAll { request in
            guard ids.contains(request.id) else { return false }
            release(request)
            request.continuation.finish()
            return true
        }
        inbox.recordRunning(active.reduce(0) { $0 + $1.unfinished })
    }

    private func failAll(_ error: ModelError) {
        for submission in waiting { submission.continuation.finish(throwing: error) }
        for request in active { request.continuation.finish(throwing: error) }
        waiting.removeAll()
        active.removeAll()
    }

    func release(_ request: ActiveRequest) {
        for choice in request.choices where !choice.finished { releaseSlot(choice.slot) }
    }

    func releaseSlot(_ slot: Int) {
        runner.release(slot: slot)
        freeSlots.append(slot)
    }
}

/// What the engine thread needs to know of the model it serves.
struct EngineShape: Sendable {
    let contextLength: Int
    let vocabularySize: Int
    let vocabulary: TokenVocabulary
}
