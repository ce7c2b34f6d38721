/// The engine thread's loop: takes submissions, admits them into free KV cache slots, runs shared
/// steps and streams events. Confined to the engine thread.
final class EngineLoop {
    let config: ModelConfig
    let configuration: GenerationEngine.Configuration
    let inbox: EngineInbox
    let runner: InferenceRunner
    var sampler: Sampler
    var freeSlots: [Int]
    var waiting: [EngineInbox.Submission] = []
    var active: [ActiveRequest] = []
    /// The last sampled token of each slot: decode chunks point here.
    let slotTokens: UnsafeMutableBufferPointer<Int32>
    // Reused by every step so that building a step allocates nothing.
    var stepWeights: [ModelWeights] = []
    var stepChunks: [InferenceRunner.Chunk] = []
    var stepOwners: [StepOwner] = []

    /// What a chunk's logits row is for.
    enum StepOwner {
        case prefill(ActiveRequest, count: Int)
        case decode(ActiveRequest, choice: Int)
    }

    init(config: ModelConfig, configuration: GenerationEngine.Configuration, inbox: EngineInbox) {
        self.config = config
        self.configuration = configuration
        self.inbox = inbox
        runner = InferenceRunner(
            config: config, slots: configuration.maxSequences,
            maxRows: configuration.maxSequences + configuration.maxPrefillTokensPerStep, threads: configuration.threads)
        sampler = Sampler(vocabularySize: config.vocabSize)
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

    /// Admits waiting requests in order while their choices fit in the free slots.
    private func admit() {
        while let next = waiting.first, freeSlots.count >= next.request.n {
            waiting.removeFirst()
            let slots = (0..<next.request.n).map { _ in freeSlots.removeLast() }
            active.append(ActiveRequest(next, slots: slots))
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
        for choice in request.choices where !choice.finished { freeSlots.append(choice.slot) }
    }
}
