import Foundation
import LightningCore
import Logging

/// Runs a batch of rollouts through the store: enqueues them (with ids fixed by the caller, so a
/// restarted trainer finds the batch it had enqueued instead of adding another), waits until they end
/// or the deadline passes, cancels the stragglers, and reads the traces training needs.
struct RolloutBatch {
    let store: any LightningStoreAPI
    let logger: Logger

    /// The rollouts of `submissions` that ended before `timeout`; the others are cancelled.
    func run(_ submissions: [RolloutSubmission], timeout: Duration) async throws -> [Rollout] {
        var ids: [String] = []
        for chunk in submissions.chunked(500) {
            ids += try await enqueue(Array(chunk)).map(\.rolloutID)
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var ended: [String: Rollout] = [:]
        while ended.count < ids.count {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            let waiting = ids.filter { ended[$0] == nil }
            for rollout in try await store.waitForRollouts(rolloutIDs: waiting, timeoutSeconds: min(left.seconds, 30)) {
                ended[rollout.rolloutID] = rollout
            }
        }
        let late = ids.filter { ended[$0] == nil }
        if !late.isEmpty {
            logger.warning("rollouts did not end in time; cancelling them", metadata: ["job.late": "\(late.count)", "job.rollouts": "\(ids.count)"])
            for id in late {
                if let rollout = try? await store.updateRollout(rolloutID: id, cancel: true, metadata: nil), rollout.status.isTerminal {
                    // It ended between the wait and the cancel: a finished rollout keeps its result.
                    if rollout.status != .cancelled { ended[id] = rollout }
                }
            }
        }
        return ids.compactMap { ended[$0] }
    }

    /// Enqueues `submissions` under their ids. A rollout that already ended without success was left by
    /// an earlier run of this trainer (it failed while the trainer or model host was down, or was
    /// cancelled as a straggler): it is replaced by a new one in the same group, under the id with
    /// `:r1`, `:r2`, … appended, so that a restarted step runs its full batch again, and a trainer that
    /// restarts once more finds the same replacements instead of adding others.
    private func enqueue(_ submissions: [RolloutSubmission]) async throws -> [Rollout] {
        var rollouts = try await store.enqueueRollouts(submissions)
        for round in 1...Self.maxReplacements {
            let stale = rollouts.indices.filter { rollouts[$0].status.isTerminal && rollouts[$0].status != .succeeded }
            if stale.isEmpty { break }
            let replacements = stale.map { index in
                var submission = submissions[index]
                submission.rolloutID = submission.rolloutID.map { "\($0):r\(round)" }
                return submission
            }
            logger.notice("replacing rollouts an earlier run left unfinished", metadata: ["job.rollouts": "\(stale.count)"])
            for (index, rollout) in zip(stale, try await store.enqueueRollouts(replacements)) { rollouts[index] = rollout }
        }
        return rollouts
    }

    static let maxReplacements = 3

    /// The spans of each rollout's latest attempt, for the succeeded ones.
    func traces(_ rollouts: [Rollout]) async throws -> [RolloutTrace] {
        try await withThrowingTaskGroup(of: RolloutTrace.self) { group in
            var traces: [RolloutTrace] = []
            var next = rollouts.filter { $0.status == .succeeded }.makeIterator()
            // A few reads at a time: enough to hide the round trips, not enough to crowd the store.
            for _ in 0..<8 {
                guard let rollout = next.next() else { break }
                group.addTask { try await trace(of: rollout) }
            }
            while let trace = try await group.next() {
                traces.append(trace)
                if let rollout = next.next() { group.addTask { try await self.trace(of: rollout) } }
            }
            let order = Dictionary(uniqueKeysWithValues: rollouts.enumerated().map { ($1.rolloutID, $0) })
            return traces.sorted { order[$0.rolloutID, default: 0] < order[$1.rolloutID, default: 0] }
        }
    }

    private func trace(of rollout: Rollout) async throws -> RolloutTrace {
        var spans: [Span] = []
        while true {
            let page = try await store.querySpans(SpanQuery(
                rolloutID: rollout.rolloutID, attempt: .latest, afterSequence: spans.last?.sequence ?? 0, limit: 1000))
            spans += page
            if page.count < 1000 { break }
        }
        return RolloutTrace(rollout: rollout, spans: spans)
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
