import Foundation
import LightningCore
import PostgresNIO

extension PostgresStore {
    /// Looks for attempts that ran too long or fell silent, every `watchdogInterval`, and hands them to
    /// the transition batcher, which takes the verdict again on locked rows. Several replicas may run
    /// this at once: the row locks make sure each attempt is timed out and requeued once.
    func runWatchdog() async {
        while !Task.isCancelled {
            do {
                let suspects = try await watchdogSuspects()
                for suspect in suspects {
                    _ = try? await transition(suspect)
                }
            } catch where !Task.isCancelled {
                logger.warning("watchdog pass failed", metadata: ["store.error": "\(error)"])
            } catch {
                return
            }
            try? await Task.sleep(for: options.watchdogInterval)
        }
    }

    func watchdogSuspects() async throws(LightningError) -> [TransitionRequest] {
        let rows = try await database.query(
            "watchdog",
            """
            SELECT a.rollout_id, a.attempt_id FROM attempts a JOIN rollouts r ON r.rollout_id = a.rollout_id
            WHERE a.status IN ('preparing', 'running', 'unresponsive')
              AND ((r.timeout_seconds IS NOT NULL AND a.started_at < now() - r.timeout_seconds * interval '1 second')
                OR (a.status <> 'unresponsive' AND r.unresponsive_seconds IS NOT NULL
                    AND COALESCE(a.last_heartbeat_at, a.started_at) < now() - r.unresponsive_seconds * interval '1 second'))
            ORDER BY a.started_at LIMIT 1000
            """
        )
        return try decode("watchdog") {
            try rows.map { row in
                let (rolloutID, attemptID) = try row.decode((String, String).self)
                return TransitionRequest(rolloutID: rolloutID, attemptID: attemptID, kind: .watchdog)
            }
        }
    }
}
