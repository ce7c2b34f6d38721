import Foundation

/// Continuous-batching text generation on a dedicated thread.
///
/// Requests from any number of async callers are admitted between decode steps and run together:
/// each step stacks one new token of every running choice (and chunks of newly admitted prompts,
/// prefilled with matrix products) into shared `sgemm` calls, with a KV cache slot per choice. The
/// BLAS work never runs on Swift's cooperative pool.
///
/// Weights: `load(weights:version:)` makes new weights current at once; every request uses the
/// weights that were current when it was submitted from its first to its last token (so recorded
/// log-probabilities always belong to one version, reported in `.completed`). Requests in flight
/// finish on their old weights while new ones start on the new weights, in the same steps.
public final class GenerationEngine: Sendable {
    /// Engine limits.
    public struct Configuration: Sendable, Hashable {
        /// KV cache slots: choices decoded at once (a request with `n` choices takes `n`).
        public var maxSequences: Int
        /// Prompt tokens prefilled per step (longer prompts take several steps, so running choices
        /// keep producing tokens meanwhile).
        public var maxPrefillTokensPerStep: Int
        /// Worker threads of the engine (including its own thread).
        public var threads: Int
        /// Positions the KV cache holds over all sequences, for models whose cache is paged (nil: as
        /// many as `cacheBytes` allow, at most every sequence at full context).
        public var cachePositions: Int?
        /// Memory budget of a paged KV cache when `cachePositions` is nil.
        public var cacheBytes: Int

        public init(maxSequences: Int = 64, maxPrefillTokensPerStep: Int = 512, threads: Int = ComputeThreads.defaultWorkers,
                    cachePositions: Int? = nil, cacheBytes: Int = 2 << 30) {
            self.maxSequences = maxSequences
            self.maxPrefillTokensPerStep = maxPrefillTokensPerStep
            self.threads = threads
            self.cachePositions = cachePositions
            self.cacheBytes = cacheBytes
        }

        /// The cache positions for a model of `weights`' shape.
        func positions(for weights: any DecoderWeights) -> Int {
            if let cachePositions { return cachePositions }
            let budget = cacheBytes / max(1, weights.cacheBytesPerPosition)
            return max(weights.contextLength, min(budget, maxSequences * weights.contextLength))
        }
    }

    /// Counters since the engine started (for metrics and tests).
    public struct Statistics: Sendable, Hashable {
        /// Shared model passes run.
        public var steps = 0
        /// Token rows processed (prefill and decode).
        public var rows = 0
        /// Tokens sampled.
        public var generatedTokens = 0
        /// Choices running after the last step.
        public var runningSequences = 0
    }

    /// Positions a sequence may hold (prompt and generated tokens).
    public let contextLength: Int
    public let vocabularySize: Int
    /// The served architecture and shape, for logs.
    public let shapeDescription: String
    public let configuration: Configuration
    /// Positions the KV cache holds over all sequences.
    public let cachePositions: Int
    private let inbox: EngineInbox
    /// The weights type served: with `shapeDescription`, what later weights must match.
    private let weightsType: ObjectIdentifier

    /// Starts the engine thread serving `weights` as `version`; `vocabulary` gives the bytes of each
    /// token (the GPT's byte-level one by default) and must have the model's vocabulary size.
    public init(weights: any DecoderWeights, vocabulary: TokenVocabulary = .byteLevel, version: Int,
                configuration: Configuration = Configuration()) throws(ModelError) {
        guard configuration.maxSequences >= 1, configuration.maxPrefillTokensPerStep >= 1 else {
            throw ModelError(.invalidConfig, "maxSequences and maxPrefillTokensPerStep must be at least 1")
        }
        guard vocabulary.count == weights.vocabularySize else {
            throw ModelError(.configMismatch, "the tokenizer has \(vocabulary.count) tokens, the model \(weights.vocabularySize)")
        }
        contextLength = weights.contextLength
        vocabularySize = weights.vocabularySize
        shapeDescription = weights.shapeDescription
        self.configuration = configuration
        cachePositions = configuration.positions(for: weights)
        weightsType = ObjectIdentifier(type(of: weights))
        let inbox = EngineInbox(weights: weights, version: version)
        self.inbox = inbox
        let runner = weights.makeRunner(RunnerConfiguration(
            slots: configuration.maxSequences, maxRows: configuration.maxSequences + configuration.maxPrefillTokensPerStep,
            threads: configuration.threads, cachePositions: cachePositions))
        let shape = EngineShape(contextLength: contextLength, vocabularySize: vocabularySize, vocabulary: vocabulary)
        // The runner is handed to the engine thread, which alone uses it from then on.
        let handOff = RunnerHandOff(runner)
        Thread {
            ThreadName.set("lm-engine")
            EngineLoop(shape: shape, runner: handOff.runner, configuration: configuration, inbox: inbox).run()
            inbox.markExited()
        }.start()
    }

    deinit {
        inbox.stop()
    }

    /// Counters since the engine started.
    public var statistics: Statistics { inbox.currentStatistics }

    /// The version of the weights new requests use.
    public var weightsVersion: Int { inbox.currentVersion }

    /// Makes `weights` current for every request submitted after this call returns.
    public func load(weights: any DecoderWeights, version: Int) throws(ModelError) {
        guard ObjectIdentifier(type(of: weights)) == weightsType, weights.shapeDescription == shapeDescription else {
            throw ModelError(.configMismatch, "weights are for \(weights.shapeDescription), the engine serves \(shapeDescription)")
        }
        inbox.load(weights, version: version)
    }

    /// Streams the tokens of `request`. Cancelling the consuming task (or dropping the stream) frees the
    /// request's slots at the next step. Invalid requests fail the stream with a `ModelError`.
    public func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        do {
            try request.validate(contextLength: contextLength, vocabularySize: vocabularySize, maxChoices: configuration.maxSequences)
        } catch {
            continuation.finish(throwing: error)
            return stream
        }
        guard let id = inbox.submit(request, continuation: continuation) else {
            continuation.finish(throwing: ModelError(.engineStopped, "the generation engine has shut down"))
            return stream
        }
        let inbox = self.inbox
        continuation.onTermination = { termination in
            if case .cancelled = termination { inbox.cancel(id) }
        }
        return stream
    }

    /// Runs `request` to the end and collects its choices.
    public func complete(_ request: GenerationRequest) async throws -> GenerationResult {
        try await GenerationResult(prompt: request.prompt, events: generate(request))
    }

    /// Stops taking requests, fails the queued and running ones with `engine_stopped`, and waits for
    /// the engine thread to exit.
    public func shutdown() async {
        inbox.stop()
        await inbox.waitForExit()
    }
}

/// Moves the runner, made on the caller's thread, to the engine thread. `@unchecked Sendable`: the
/// caller never touches the runner after handing it over.
private final class RunnerHandOff: @unchecked Sendable {
    let runner: any DecoderRunner
    init(_ runner: any DecoderRunner) { self.runner = runner }
}

