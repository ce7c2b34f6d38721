import Metrics

/// The model host's metrics (swift-metrics; the executable exposes them in Prometheus format).
struct HostMetrics: Sendable {
    let promptTokens = Counter(label: "lightning_model_prompt_tokens_total")
    let generatedTokens = Counter(label: "lightning_model_generated_tokens_total")
    /// Generated tokens per second of the last finished call (all its choices).
    let tokensPerSecond = Gauge(label: "lightning_model_tokens_per_second")
    /// Choices running in the engine when a call is admitted (the batch it joins).
    let batchSize = Recorder(label: "lightning_model_batch_size", aggregate: true)
    /// Seconds from request to last token.
    let generationTime = Timer(label: "lightning_model_generation_seconds", preferredDisplayUnit: .seconds)
    let weightsVersion = Gauge(label: "lightning_model_weights_version")
    let recordedCalls = Counter(label: "lightning_model_recorded_calls_total")

    func request(endpoint: String, status: Int) -> Counter {
        Counter(label: "lightning_model_requests_total", dimensions: [("endpoint", endpoint), ("status", String(status))])
    }

    func latency(endpoint: String) -> Timer {
        Timer(label: "lightning_model_request_duration_seconds", dimensions: [("endpoint", endpoint)], preferredDisplayUnit: .seconds)
    }
}
