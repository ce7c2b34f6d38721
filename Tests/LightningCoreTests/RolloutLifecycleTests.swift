import Foundation
import LightningCore
import Testing

@Suite struct RolloutLifecycleTests {
    static let retrying = RolloutConfig(maxAttempts: 3, retryOn: [.failed, .timeout, .unresponsive])

    func rollout(_ status: RolloutStatus, latest: Int = 1, config: RolloutConfig = retrying) -> RolloutState {
        RolloutState(status: status, config: config, latestAttemptSequence: latest)
    }

    func attempt(_ status: AttemptStatus, sequence: Int = 1) -> AttemptState {
        AttemptState(status: status, sequence: sequence, lease: 7)
    }

    static let allowed: [(AttemptStatus, AttemptStatus)] = [
        (.preparing, .running), (.preparing, .succeeded), (.preparing, .failed), (.preparing, .timeout), (.preparing, .unresponsive),
        (.running, .succeeded), (.running, .failed), (.running, .timeout), (.running, .unresponsive),
        (.unresponsive, .running), (.unresponsive, .succeeded), (.unresponsive, .failed), (.unresponsive, .timeout),
    ]

    @Test("every attempt transition is allowed or refused as the rules say")
    func everyAttemptTransition() {
        for from in AttemptStatus.allCases {
            for to in AttemptStatus.allCases {
                let expected = from == to || Self.allowed.contains { $0 == (from, to) }
                #expect(RolloutLifecycle.canMove(attempt: from, to: to) == expected, "\(from) → \(to)")
            }
        }
    }

    @Test("terminal attempts never move", arguments: [AttemptStatus.succeeded, .failed, .timeout])
    func terminalAttemptsStay(_ status: AttemptStatus) {
        for target in AttemptStatus.allCases where target != status {
            #expect(throws: LightningError.self) {
                try RolloutLifecycle.move(rollout: rollout(.running), attempt: attempt(status), to: target)
            }
        }
    }

    @Test("the latest attempt moves the rollout")
    func latestAttemptMovesRollout() throws {
        #expect(try RolloutLifecycle.move(rollout: rollout(.preparing), attempt: attempt(.preparing), to: .running).rolloutStatus == .running)
        #expect(try RolloutLifecycle.move(rollout: rollout(.running), attempt: attempt(.running), to: .succeeded).rolloutStatus == .succeeded)
    }

    @Test("an earlier attempt changes only itself")
    func onlyLatestAttemptMovesRollout() throws {
        let change = try RolloutLifecycle.move(rollout: rollout(.running, latest: 2), attempt: attempt(.unresponsive, sequence: 1), to: .succeeded)
        #expect(change.attemptStatus == .succeeded)
        #expect(change.rolloutStatus == .running)
        #expect(!change.rolloutChanged)
    }

    @Test("failures requeue while attempts remain and the status is retried", arguments: [AttemptStatus.failed, .timeout, .unresponsive])
    func retries(_ failure: AttemptStatus) throws {
        for sequence in 1...3 {
            let change = try RolloutLifecycle.move(rollout: rollout(.running, latest: sequence), attempt: attempt(.running, sequence: sequence), to: failure)
            #expect(change.rolloutStatus == (sequence < 3 ? .requeuing : .failed), "attempt \(sequence)")
        }
    }

    @Test("a status not in retry_on fails the rollout at once")
    func noRetryForUnlistedStatus() throws {
        let config = RolloutConfig(maxAttempts: 5, retryOn: [.timeout])
        let change = try RolloutLifecycle.move(rollout: rollout(.running, config: config), attempt: attempt(.running), to: .failed)
        #expect(change.rolloutStatus == .failed)
    }

    @Test("a revived attempt takes its requeued rollout back")
    func revival() throws {
        let change = try RolloutLifecycle.move(rollout: rollout(.requeuing), attempt: attempt(.unresponsive), to: .running)
        #expect(change.rolloutStatus == .running)
    }

    @Test("terminal rollouts never move", arguments: [RolloutStatus.succeeded, .failed, .cancelled])
    func terminalRolloutsStay(_ status: RolloutStatus) throws {
        let change = try RolloutLifecycle.move(rollout: rollout(status), attempt: attempt(.unresponsive), to: .running)
        #expect(change.rolloutStatus == status)
        #expect(change.attemptChanged)
    }

    @Test("repeating the current status is a no-op")
    func idempotentRepeat() throws {
        let change = try RolloutLifecycle.move(rollout: rollout(.succeeded), attempt: attempt(.succeeded), to: .succeeded)
        #expect(!change.attemptChanged && !change.rolloutChanged)
    }

    @Test("a lease holds only for the latest attempt that has not timed out")
    func leases() throws {
        try RolloutLifecycle.checkLease(presented: 7, attempt: attempt(.running), latestAttemptSequence: 1)
        #expect(throws: LightningError(.staleLease, "lease 8 does not hold attempt 1")) {
            try RolloutLifecycle.checkLease(presented: 8, attempt: attempt(.running), latestAttemptSequence: 1)
        }
        #expect { try RolloutLifecycle.checkLease(presented: 7, attempt: attempt(.running), latestAttemptSequence: 2) } throws: {
            ($0 as? LightningError)?.code == .staleLease
        }
        #expect { try RolloutLifecycle.checkLease(presented: 7, attempt: attempt(.timeout), latestAttemptSequence: 1) } throws: {
            ($0 as? LightningError)?.code == .staleLease
        }
    }

    @Test("only queued rollouts can be claimed")
    func claims() throws {
        #expect(try RolloutLifecycle.claim(rollout(.queuing, latest: 0)) == 1)
        #expect(try RolloutLifecycle.claim(rollout(.requeuing, latest: 2)) == 3)
        for status in RolloutStatus.allCases where !status.isQueued {
            #expect(throws: LightningError.self) { try RolloutLifecycle.claim(rollout(status)) }
        }
    }

    @Test("cancelling ends the active attempt; ended rollouts cannot be cancelled")
    func cancel() throws {
        let result = try RolloutLifecycle.cancel(rollout: rollout(.running), latestAttempt: attempt(.running))
        #expect(result.rollout == .cancelled && result.attempt == .failed)
        #expect(try RolloutLifecycle.cancel(rollout: rollout(.queuing, latest: 0), latestAttempt: nil).attempt == nil)
        #expect(throws: LightningError.self) { try RolloutLifecycle.cancel(rollout: rollout(.succeeded), latestAttempt: nil) }
    }

    @Test("the watchdog times out long attempts and marks silent ones unresponsive")
    func watchdog() {
        let config = RolloutConfig(timeoutSeconds: 100, unresponsiveSeconds: 10)
        let start = Date(timeIntervalSince1970: 1000)
        func verdict(_ status: AttemptStatus, heard: Double?, at now: Double) -> AttemptStatus? {
            RolloutLifecycle.watchdogVerdict(
                status: status, startedAt: start, lastHeardAt: heard.map { Date(timeIntervalSince1970: $0) },
                config: config, now: Date(timeIntervalSince1970: now)
            )
        }
        #expect(verdict(.running, heard: 1095, at: 1099) == nil)
        #expect(verdict(.running, heard: 1080, at: 1099) == .unresponsive)
        #expect(verdict(.preparing, heard: nil, at: 1011) == .unresponsive)
        #expect(verdict(.unresponsive, heard: 1001, at: 1050) == nil)
        #expect(verdict(.unresponsive, heard: 1001, at: 1101) == .timeout)
        #expect(verdict(.running, heard: 1100, at: 1101) == .timeout)
        #expect(verdict(.succeeded, heard: nil, at: 5000) == nil)
    }
}
