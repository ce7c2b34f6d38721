import Foundation
import LightningClient
import LightningCore
import Logging
import ServiceLifecycle

/// The agent runner: a pool of workers that take rollouts from the store, run the agent on each with
/// heartbeats, send its spans and reward, and finish the attempt. On graceful shutdown it stops taking
/// rollouts; those running get `drainGrace` to finish, then their attempts are released as failed so the
/// store gives them to another runner.
public final class Runner: Service, Sendable {
    let store: any LightningStoreAPI
    let agent: any Agent
    let configuration: RunnerConfiguration
    let logger: Logger
    let uploader: SpanUploader
    let resources: ResourceCache
    private let draining = Locked(false)

    public init(store: any LightningStoreAPI, agent: any Agent, configuration: RunnerConfiguration, logger: Logger) {
        self.store = store
        self.agent = agent
        self.configuration = configuration
        self.logger = logger
        self.uploader = SpanUploader(store: store, logger: logger)
        self.resources = ResourceCache(store: store)
    }

    var isDraining: Bool { draining.withLock { $0 } }

    public func run() async throws {
        logger.info("runner started", metadata: ["runner.workers": "\(configuration.workers)", "runner.agent": "\(agent.name)"])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.uploader.run() }
            await withGracefulShutdownHandler {
                await self.runWorkers()
            } onGracefulShutdown: {
                self.logger.info("draining: no new rollouts", metadata: ["runner.grace": "\(self.configuration.drainGrace)"])
                self.draining.withLock { $0 = true }
            }
            await self.flushSpans()
            group.cancelAll()
        }
        logger.info("runner stopped")
    }

    /// The workers, raced against the drain deadline: once draining has lasted `drainGrace`, the workers
    /// still running are cancelled (and release their attempts).
    private func runWorkers() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { workers in
                    for index in 0..<self.configuration.workers {
                        workers.addTask { await RunnerWorker(runner: self, id: "\(self.configuration.workerPrefix)-\(index)").run() }
                    }
                }
            }
            group.addTask {
                while !self.isDraining, !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                }
                try? await Task.sleep(for: self.configuration.drainGrace)
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func flushSpans() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.uploader.flush() }
            group.addTask { try? await Task.sleep(for: .seconds(10)) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Runs `body` in a task that the caller's cancellation does not reach: reports that must go out even
    /// when the runner is being stopped.
    func detached<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }
}
