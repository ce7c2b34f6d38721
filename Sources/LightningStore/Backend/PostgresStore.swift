import Foundation
import LightningCore
import Logging
import PostgresNIO
import ServiceLifecycle

/// The LightningStore on PostgreSQL. Stateless apart from the database: several instances (in one or
/// many processes) may serve one database. Hot writes go through batchers, so that one statement and one
/// commit serve many concurrent requests.
public final class PostgresStore: Sendable {
    let database: Database
    let options: StoreOptions
    let logger: Logger
    let events: EventBus
    let transitions: Batcher<TransitionRequest, TransitionOutcome>
    let spanWrites: Batcher<SpanWrite, SpanWriteResult>
    let dispatcher: DequeueDispatcher
    let waiters: RolloutWaiters

    public init(database: Database, options: StoreOptions = StoreOptions(), events: EventBus, logger: Logger) {
        self.database = database
        self.options = options
        self.logger = logger
        self.events = events
        let transitions = Batcher<TransitionRequest, TransitionOutcome>(
            name: "transitions", maxBatch: 256, workers: options.transitionWriters
        ) { requests in
            await isolatingFailures(requests) { (batch) throws(LightningError) in
                try await PostgresStore.applyTransitions(batch, database: database, events: events)
            }
        }
        self.transitions = transitions
        self.spanWrites = Batcher(name: "spans", maxBatch: options.spanBatchRequests, workers: options.spanWriters) { writes in
            await isolatingFailures(writes) { (batch) throws(LightningError) in
                try await PostgresStore.writeSpans(batch, database: database, events: events)
            }
        }
        self.dispatcher = DequeueDispatcher(database: database, events: events, pollInterval: options.pollInterval, logger: logger)
        self.waiters = RolloutWaiters(database: database, events: events, pollInterval: options.pollInterval)
    }

    /// Applies the migrations that are missing.
    public func migrate() async throws(LightningError) {
        try await Migrations.apply(database)
    }

    /// Runs the batchers, the dequeue dispatcher, the rollout waiters, the watchdog and the analyzer until cancelled.
    public func runBackgroundWork() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.transitions.run() }
            group.addTask { await self.spanWrites.run() }
            group.addTask { await self.dispatcher.run() }
            group.addTask { await self.waiters.run() }
            group.addTask { await self.runWatchdog() }
            group.addTask { await self.runAnalyzer() }
        }
    }
}

extension PostgresStore {
    /// Answers every dequeue and wait for rollouts in progress now, as if their time were up, and
    /// refuses new ones: the store is shutting down.
    public func releaseWaits() {
        dispatcher.release()
        waiters.release()
    }
}

extension PostgresStore: Service {
    /// Runs the background work until graceful shutdown; the request server stops before this does.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            await self.runBackgroundWork()
        }
    }
}
