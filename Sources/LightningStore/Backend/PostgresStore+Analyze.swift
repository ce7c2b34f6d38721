import LightningCore
import PostgresNIO

extension PostgresStore {
    /// Keeps the planner's statistics fresh on the hot tables. Autovacuum analyzes at most once a minute;
    /// a freshly created store grows its tables a thousandfold in that time, and plans made for a tiny
    /// table (sequential scans) stay bad until the next analysis. One replica at a time does this.
    func runAnalyzer(interval: Duration = .seconds(5)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            do {
                try await analyzeStaleTables()
            } catch {
                logger.debug("analyzing tables failed", metadata: ["store.error": "\(error)"])
            }
        }
    }

    func analyzeStaleTables() async throws(LightningError) {
        let rows = try await database.query(
            "analyze",
            """
            SELECT relname::text FROM pg_stat_user_tables
            WHERE relname IN ('rollouts', 'attempts', 'spans', 'workers')
              AND n_mod_since_analyze > greatest(500, 0.2 * n_live_tup)
              AND pg_try_advisory_xact_lock(\(Migrations.lockKey + 1))
            """
        )
        let tables = try decode("analyze") { try rows.map { try $0.decode(String.self) } }
        for table in tables where ["rollouts", "attempts", "spans", "workers"].contains(table) {
            _ = try await database.query("analyze", PostgresQuery(unsafeSQL: "ANALYZE \(table)"))
        }
    }
}
