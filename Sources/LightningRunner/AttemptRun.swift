import Foundation
import LightningCore
import Logging

/// Runs the agent on one claimed rollout, alongside a heartbeat loop, and reports the outcome.
struct AttemptRun: Sendable {
    let runner: Runner
    let workerID: String
    let claimed: ClaimedRollout

    private enum Outcome: Sendable {
        case finished(Result<Double?, AgentFailure>)
        case timedOut(Duration)
        /// The store no longer lets this runner work on the attempt (cancelled, taken over, timed out).
        case lost(String)
    }

    var reference: AttemptRef { AttemptRef(claimed.attempt) }

    func run() async {
        let started = ContinuousClock.now
        let context: RolloutContext
        do {
            context = try await makeContext()
        } catch {
            await finish(.failed, error: "cannot prepare the rollout: \(error)")
            return
        }
        let outcome = await withTaskGroup(of: Outcome?.self) { group -> Outcome? in
            group.addTask { await runAgent(context) }
            group.addTask { await heartbeats() }
            if let limit = timeLimit {
                group.addTask {
                    try? await Task.sleep(for: limit)
                    return Task.isCancelled ? nil : .timedOut(limit)
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await runner.uploaderFlush()
        switch outcome {
        case .finished(.success(let reward))?:
            if let reward { await context.tracer.reward(reward, source: "agent") }
            await runner.uploaderFlush()
            await finish(.succeeded, error: nil)
        case .finished(.failure(let failure))?:
            await finish(.failed, error: failure.description)
        case .timedOut(let limit)?:
            await finish(.timeout, error: "the runner stopped the agent after \(limit)")
        case .lost(let reason)?:
            runner.logger.info("attempt lost", metadata: ["runner.rollout": "\(claimed.rollout.rolloutID)", "runner.reason": "\(reason)"])
        case nil:
            // Cancelled: the runner is stopping and the grace period is over.
            await finish(.failed, error: "the runner shut down before the agent finished")
        }
        runner.logger.debug("rollout done", metadata: [
            "runner.rollout": "\(claimed.rollout.rolloutID)", "runner.seconds": "\(ContinuousClock.now - started)",
        ])
    }

    /// The rollout's own limit and the runner's, whichever is shorter.
    private var timeLimit: Duration? {
        let own = claimed.rollout.config.timeoutSeconds.map { Duration.milliseconds(Int64($0 * 1000)) }
        switch (own, runner.configuration.rolloutTimeout) {
        case let (own?, limit?): return min(own, limit)
        case let (own, limit): return own ?? limit
        }
    }

    private func runAgent(_ context: RolloutContext) async -> Outcome? {
        do {
            let reward = try await runner.agent.run(context)
            return Task.isCancelled ? nil : .finished(.success(reward))
        } catch is CancellationError {
            return nil
        } catch let failure as AgentFailure {
            return .finished(.failure(failure))
        } catch {
            return Task.isCancelled ? nil : .finished(.failure(AgentFailure("\(error)")))
        }
    }

    /// Heartbeats until cancelled; returns early when the store says the attempt is no longer ours.
    private func heartbeats() async -> Outcome? {
        while !Task.isCancelled {
            do {
                let result = try await runner.store.heartbeat(workerID: workerID, attempt: reference)
                if let status = result.rolloutStatus, status.isTerminal { return .lost("the rollout is \(status.rawValue)") }
                if let status = result.attemptStatus, status.isTerminal { return .lost("the attempt is \(status.rawValue)") }
            } catch let error as LightningError where error.code == .staleLease || error.code == .notFound {
                return .lost(error.message)
            } catch {
                // A passing failure (the store restarting): the next beat may get through.
            }
            try? await Task.sleep(for: runner.configuration.heartbeatInterval)
        }
        return nil
    }

    private func finish(_ status: AttemptStatus, error: String?) async {
        do {
            _ = try await runner.detached { [runner, reference] in
                try await runner.store.updateAttempt(reference, status: status, error: error.map { Validation.storable($0) })
            }
        } catch {
            runner.logger.warning("cannot finish the attempt", metadata: [
                "runner.rollout": "\(claimed.rollout.rolloutID)", "runner.error": "\(error)",
            ])
        }
    }

    private func makeContext() async throws -> RolloutContext {
        let resources = try await runner.resources.resources(for: claimed.rollout)
        let llm = resources?.entries["llm"].flatMap { try? $0.value() }
        let root = (runner.configuration.modelEndpoint ?? llm?["endpoint"]?.stringValue).map(Self.serverRoot)
        let endpoint = LLMEndpoint(
            baseURL: root.map { "\($0)/rollout/\(claimed.rollout.rolloutID)/attempt/\(claimed.attempt.attemptID)/v1" } ?? "",
            model: runner.configuration.modelName ?? llm?["model"]?.stringValue ?? "default",
            apiKey: runner.configuration.modelAPIKey,
            weightsVersion: llm?["weights_version"]?.intValue.map(Int64.init)
        )
        let uploader = runner.uploader
        let tracer = AgentTracer(rolloutID: claimed.rollout.rolloutID, attemptID: claimed.attempt.attemptID) { span in
            await uploader.add([span])
        }
        let store = runner.store
        let query = SpanQuery(
            rolloutID: claimed.rollout.rolloutID, attempt: .id(claimed.attempt.attemptID), name: PrimaryReward.spanName, limit: 10_000
        )
        return RolloutContext(
            rollout: claimed.rollout, attempt: claimed.attempt, llm: endpoint, resources: resources, tracer: tracer,
            storedReward: { try PrimaryReward.last(in: try await store.querySpans(query)) }
        )
    }

    /// `http://host:8000/v1/` → `http://host:8000`.
    static func serverRoot(_ endpoint: String) -> String {
        var root = endpoint
        while root.hasSuffix("/") { root.removeLast() }
        if root.hasSuffix("/v1") { root.removeLast(3) }
        return root
    }
}

extension Runner {
    /// Waits until the spans added so far are stored (bounded, so a store outage cannot hang a worker).
    func uploaderFlush() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.uploader.flush() }
            group.addTask { try? await Task.sleep(for: .seconds(30)) }
            await group.next()
            group.cancelAll()
        }
    }
}
