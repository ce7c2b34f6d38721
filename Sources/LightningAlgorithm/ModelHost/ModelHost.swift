import Foundation
import Hummingbird
import LightningCore
import LightningModel
import Logging
import ServiceLifecycle

/// The OpenAI-compatible HTTP API over a `GenerationEngine` (a swift-service-lifecycle `Service`).
///
/// Serves `/v1/models`, `/v1/chat/completions` and `/v1/completions` (plain and streamed), plus the same
/// API under `/rollout/{rollout_id}/attempt/{attempt_id}/v1/…`, where each finished call also goes to
/// the `CallRecorder` (when there is one). `/healthz` and `/metrics` need no API key.
///
/// The trainer swaps weights with `load(weights:version:)`; every response names the version that
/// produced it in `system_fingerprint` (`lightning-v<version>`) and in the recorded span.
public final class ModelHost: Service, Sendable {
    public let engine: GenerationEngine
    public let configuration: ModelHostConfiguration
    /// The served model's tokenizer and chat template.
    public let text: any ModelText
    let recorder: (any CallRecorder)?
    let metricsText: (@Sendable () -> String)?
    let logger: Logger
    let metrics = HostMetrics()
    let limits: CallLimits
    /// Unix seconds of start-up (`created` of `/v1/models`).
    let created = Int(Date().timeIntervalSince1970)
    /// Serializes submissions with weight swaps, so that the version read at submission is the one the
    /// engine uses (the engine binds a request to the weights current when it is submitted).
    private let submission = Locked(())
    private let port = Locked(PortState())

    private struct PortState {
        var port: Int?
        var waiters: [CheckedContinuation<Int, Never>] = []
    }

    /// - Parameters:
    ///   - recorder: receives the calls made under rollout URLs; nil serves those URLs without recording.
    ///   - metricsText: the Prometheus exposition served at `/metrics`.
    public init(
        engine: GenerationEngine, configuration: ModelHostConfiguration, text: any ModelText = ByteLevelText(),
        recorder: (any CallRecorder)? = nil,
        metricsText: (@Sendable () -> String)? = nil, logger: Logger = Logger(label: "lightning.model-host")
    ) {
        self.engine = engine
        self.configuration = configuration
        self.text = text
        self.recorder = recorder
        self.metricsText = metricsText
        self.logger = logger
        limits = CallLimits(context: engine.contextLength, maxChoices: engine.configuration.maxSequences,
                            vocabularySize: engine.vocabularySize)
        metrics.weightsVersion.record(engine.weightsVersion)
    }

    /// Makes `weights` current for every request accepted after this call returns; requests in flight
    /// finish on the weights they started with.
    public func load(weights: any DecoderWeights, version: Int) throws(ModelError) {
        let outcome = submission.withLock { _ in
            Result { () throws(ModelError) in try engine.load(weights: weights, version: version) }
        }
        try outcome.get()
        metrics.weightsVersion.record(version)
        logger.info("serving new weights", metadata: ["model.version": "\(version)"])
    }

    /// Submits a request; returns its event stream and the weights version it runs on.
    func submit(_ request: GenerationRequest) -> (AsyncThrowingStream<GenerationEvent, any Error>, Int) {
        submission.withLock { _ in (engine.generate(request), engine.weightsVersion) }
    }

    /// Serves until graceful shutdown: stops accepting connections and lets open requests finish.
    public func run() async throws {
        let port = self.port
        let application = Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "lightning-model-host"),
            onServerRunning: { channel in
                guard let bound = channel.localAddress?.port else { return }
                let waiters = port.withLock { state in
                    state.port = bound
                    defer { state.waiters = [] }
                    return state.waiters
                }
                waiters.forEach { $0.resume(returning: bound) }
            },
            logger: logger
        )
        logger.info("model host starting", metadata: [
            "model.name": "\(configuration.modelName)", "model.version": "\(engine.weightsVersion)",
            "model.recording": "\(recorder != nil)", "model.api_key": "\(configuration.apiKey != nil ? "required" : "none")",
        ])
        try await application.run()
    }

    /// The port the server listens on, once it does.
    public func listeningPort() async -> Int {
        await withCheckedContinuation { continuation in
            let bound = port.withLock { state -> Int? in
                if state.port == nil { state.waiters.append(continuation) }
                return state.port
            }
            if let bound { continuation.resume(returning: bound) }
        }
    }
}
