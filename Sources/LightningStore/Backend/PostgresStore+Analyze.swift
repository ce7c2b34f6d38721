import LightningCore
import PostgresNIO

extension PostgresStore {
    /// Keeps the planner's statistics fresh on the hot tables. Autovacuum analyzes at most once a minute;
    /// a freshly created store grows its tables a thousandfold in that time, and plans made for a tiny
    /// table (sequential scans, cached as generic plans) stay bad until the next analysis. A table is
    /// analyzed when it has doubled in size since its last analysis (read from its file size, which is
    /// exact at once, unlike the activity counters that backends report up to seconds late), or when
    /// more rows changed than it holds. One replica at a time does this.
    func runAnalyzer(interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            do {
                try await analyzeStaleTables()
            } catch {
                logger.debug("analyzing tables failed", metadata: ["store.error": "\(error)"])
            }
        }
    }

    /// Not `spans`: no plan depends on its statistics (the span write goes through its primary key and
    /// reads only its own input; span queries look up a rollout's prefix of that key), and analyzing it
    /// costs the most: about 430 ms a time at 180,000 spans, 1.7 s of PostgreSQL's time in a
    /// 20,000-rollout benchmark run. Autovacuum still analyzes it on its own schedule.
    private static let hotTables = ["rollouts", "attempts", "workers"]

    func analyzeStaleTables() async throws(LightningError) {
        let rows = try await database.query(
            "analyze",
            """
            SELECT c.relname::text FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE c.relname::text = ANY(\(Self.hotTables))
              AND (pg_relation_size(c.oid) / current_setting('block_size')::int > greatest(8, 2 * c.relpages)
                   OR s.n_mod_since_analyze > greatest(500, s.n_live_tup))
              AND pg_try_advisory_xact_lock(\(Migrations.lockKey + 1))
            """
        )
        let tables = try decode("analyze") { try rows.map { try $0.decode(String.self) } }
        for table in tables where Self.hotTables.contains(table) {
            _ = try await database.query("analyze", PostgresQuery(unsafeSQL: "ANALYZE \(table)"))
        }
    }
}
