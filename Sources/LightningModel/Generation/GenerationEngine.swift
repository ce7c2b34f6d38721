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

        public init(maxSequences: Int = 64, maxPrefillTokensPerStep: Int = 512, threads: Int = ComputeThreads.defaultWorkers) {
            self.maxSequences = maxSequences
            self.maxPrefillTokensPerStep = maxPrefillTokensPerStep
            self.threads = threads
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

    public let config: ModelConfig
    public let configuration: Configuration
    private let inbox: EngineInbox

    /// Starts the engine thread serving `weights` as `version`.
    public init(weights: ModelWeights, version: Int, configuration: Configuration = Configuration()) throws(ModelError) {
        guard configuration.maxSequences >= 1, configuration.maxPrefillTokensPerStep >= 1 else {
            throw ModelError(.invalidConfig, "maxSequences and maxPrefillTokensPerStep must be at least 1")
        }
        config = weights.config
        self.configuration = configuration
        let inbox = EngineInbox(weights: weights, version: version)
        self.inbox = inbox
        let config = weights.config  // the thread must not keep the first weights alive
        Thread {
            ThreadName.set("lm-engine")
            EngineLoop(config: config, configuration: configuration, inbox: inbox).run()
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
    public func load(weights: ModelWeights, version: Int) throws(ModelError) {
        guard weights.config == config else {
            throw ModelError(.configMismatch, "weights are for \(weights.config), the engine serves \(config)")
        }
        inbox.load(weights, version: version)
    }

    /// Streams the tokens of `request`. Cancelling the consuming task (or dropping the stream) frees the
    /// request's slots at the next step. Invalid requests fail the stream with a `ModelError`.
    public func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        do {
            try request.validate(config, maxChoices: configuration.maxSequences)
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
