import LightningClient
import LightningWire
import LightningCore
import Logging
import ServiceLifecycle

/// Records calls as spans in the LightningStore through a `SpanUploader`: `record` only queues the
/// spans (no store round trip on the response path); the uploader sends them in batches and resends
/// until the store takes them, so a store outage delays recording and does not lose it.
///
/// Run it as a `Service`: on graceful shutdown it flushes what is queued (for at most `flushTimeout`,
/// then logs what could not be sent) and stops.
public final class StoreCallRecorder: CallRecorder, Service {
    public let uploader: SpanUploader
    private let flushTimeout: Duration
    private let logger: Logger
    private let onStop: @Sendable () -> Void

    public convenience init(store: any LightningStoreAPI, flushTimeout: Duration = .seconds(10), logger: Logger = Logger(label: "lightning.recorder")) {
        self.init(uploader: SpanUploader(store: store, logger: logger), flushTimeout: flushTimeout, logger: logger, onStop: {})
    }

    /// A recorder with its own store client connected to `endpoint` (`tcp://host:5555`), closed on stop.
    public static func connecting(
        to endpoint: String, security: CurveClientSecurity? = nil, flushTimeout: Duration = .seconds(10), logger: Logger
    ) throws -> StoreCallRecorder {
        let client = try StoreClient(configuration: StoreClientConfiguration(endpoints: [endpoint], security: security), logger: logger)
        return StoreCallRecorder(uploader: SpanUploader(store: client, logger: logger), flushTimeout: flushTimeout, logger: logger,
                                 onStop: { client.close() })
    }

    private init(uploader: SpanUploader, flushTimeout: Duration, logger: Logger, onStop: @escaping @Sendable () -> Void) {
        self.uploader = uploader
        self.flushTimeout = flushTimeout
        self.logger = logger
        self.onStop = onStop
    }

    public func record(_ call: RecordedCall) async {
        await uploader.add(call.spans())
    }

    /// Uploads until graceful shutdown (or cancellation), then flushes.
    public func run() async throws {
        let uploader = self.uploader
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await uploader.run() }
            try? await gracefulShutdown()
            await flush()
            group.cancelAll()
        }
        onStop()
    }

    /// Waits until every call recorded so far is in the store, for at most `timeout`; false when some
    /// are still pending. The trainer calls it before it reads a step's spans. (Polls:
    /// `SpanUploader.flush()` cannot be abandoned when the store stays away.)
    public func stored(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while uploader.pendingCount > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return uploader.pendingCount == 0
    }

    private func flush() async {
        if !(await stored(within: flushTimeout)) {
            logger.error("recorded calls not stored before shutdown", metadata: ["recorder.pending_spans": "\(uploader.pendingCount)"])
        }
    }
}
