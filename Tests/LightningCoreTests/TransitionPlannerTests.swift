import Foundation
import LightningCore
import Testing

@Suite struct TransitionPlannerTests {
    let now = Date(timeIntervalSince1970: 2000)

    func rows(status: RolloutStatus = .preparing, attemptStatus: AttemptStatus = .preparing, config: RolloutConfig = RolloutConfig())
        -> ([String: Rollout], [String: Attempt])
    {
        let rollout = Rollout(rolloutID: "ro-1", input: .emptyObject, status: status, config: config, attemptCount: 1)
        let attempt = Attempt(attemptID: "at-1", rolloutID: "ro-1", sequence: 1, status: attemptStatus, lease: 42, startedAt: Date(timeIntervalSince1970: 1000))
        return (["ro-1": rollout], ["at-1": attempt])
    }

    @Test("requests on one rollout apply in order within a batch")
    func sequentialApplication() throws {
        let (rollouts, attempts) = rows()
        let plan = TransitionPlanner.plan(
            [
                TransitionRequest(rolloutID: "ro-1", attemptID: "at-1", kind: .alive(lease: nil)),
                TransitionRequest(rolloutID: "ro-1", attemptID: "at-1", kind: .report(.succeeded, lease: 42, error: nil)),
            ],
            rollouts: rollouts, attempts: attempts, now: now
        )
        #expect(try plan.results[0].get().attempt?.status == .running)
        #expect(try plan.results[1].get().rollout.status == .succeeded)
        #expect(plan.rollouts["ro-1"]?.status == .succeeded)
        #expect(plan.rollouts["ro-1"]?.endedAt == now)
        #expect(plan.attempts["at-1"]?.endedAt == now)
        #expect(plan.changes.map(\.status) == [.running, .succeeded])
    }

    @Test("a wrong lease is refused and changes nothing")
    func staleLease() {
        let (rollouts, attempts) = rows(status: .running, attemptStatus: .running)
        let plan = TransitionPlanner.plan(
            [TransitionRequest(rolloutID: "ro-1", attemptID: "at-1", kind: .report(.succeeded, lease: 1, error: nil))],
            rollouts: rollouts, attempts: attempts, now: now
        )
        #expect(throws: LightningError.self) { try plan.results[0].get() }
        #expect(plan.rollouts.isEmpty && plan.attempts.isEmpty && plan.changes.isEmpty)
    }

    @Test("unknown rollouts and attempts are not found")
    func unknownIDs() {
        let (rollouts, attempts) = rows()
        let plan = TransitionPlanner.plan(
            [
                TransitionRequest(rolloutID: "ro-2", attemptID: "at-1", kind: .alive(lease: nil)),
                TransitionRequest(rolloutID: "ro-1", attemptID: "at-9", kind: .alive(lease: nil)),
            ],
            rollouts: rollouts, attempts: attempts, now: now
        )
        for result in plan.results {
            #expect { try result.get() } throws: { ($0 as? LightningError)?.code == .notFound }
        }
    }

    @Test("the watchdog's verdict is taken again on the rows it gets")
    func watchdogRechecks() throws {
        var (rollouts, attempts) = rows(status: .running, attemptStatus: .running, config: RolloutConfig(unresponsiveSeconds: 10, maxAttempts: 2))
        attempts["at-1"]?.lastHeartbeatAt = now.addingTimeInterval(-1)
        let fresh = TransitionPlanner.plan([TransitionRequest(rolloutID: "ro-1", attemptID: "at-1", kind: .watchdog)], rollouts: rollouts, attempts: attempts, now: now)
        #expect(try fresh.results[0].get().attempt?.status == .running)
        #expect(fresh.attempts.isEmpty)
        attempts["at-1"]?.lastHeartbeatAt = now.addingTimeInterval(-20)
        let silent = TransitionPlanner.plan([TransitionRequest(rolloutID: "ro-1", attemptID: "at-1", kind: .watchdog)], rollouts: rollouts, attempts: attempts, now: now)
        #expect(silent.attempts["at-1"]?.status == .unresponsive)
        #expect(silent.rollouts["ro-1"]?.status == .requeuing)
        _ = rollouts
    }

    @Test("cancelling ends the latest attempt")
    func cancel() throws {
        let (rollouts, attempts) = rows(status: .running, attemptStatus: .running)
        let plan = TransitionPlanner.plan([TransitionRequest(rolloutID: "ro-1", attemptID: nil, kind: .cancel)], rollouts: rollouts, attempts: attempts, now: now)
        let outcome = try plan.results[0].get()
        #expect(outcome.rollout.status == .cancelled)
        #expect(outcome.attempt?.status == .failed)
        #expect(outcome.attempt?.error == "the rollout was cancelled")
    }
}
