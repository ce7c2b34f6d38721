import Foundation
import LightningCore
import PostgresNIO
import Testing

@testable import LightningStore

/// How the store keeps PostgreSQL's plans for its hot statements good and cheap.
@Suite struct DatabasePlanTests {
    @Test("prepared statements run on connections that force the generic plan; ad-hoc queries are planned with their parameters")
    func planModes() async throws {
        let testDatabase = try await TestDatabase.create()
        let database = try Database(url: testDatabase.url, maxConnections: 4, logger: testLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            defer { group.cancelAll() }
            let hot = try await database.execute("probe", PlanModeProbe())
            let adHoc = try await database.query("probe", "SELECT current_setting('plan_cache_mode')")
            #expect(try hot.first?.decode(String.self) == "force_generic_plan")
            #expect(try adHoc.first?.decode(String.self) == "auto")
        }
        await testDatabase.drop()
    }

    @Test("a new store analyzes its hot tables within seconds of their growth, so plans made for empty tables are replaced")
    func freshTablesAreAnalyzed() async throws {
        try await withTestStore { store in
            // Only the store's analyzer may do it here.
            _ = try await store.database.rows("ALTER TABLE rollouts SET (autovacuum_enabled = false)")
            // One call, one transaction: the analyzer sees no rows or all of them (an analysis after a part
            // would wait for the table to double again).
            _ = try await store.client.enqueueRollouts((0..<1500).map { _ in submission() })
            // ANALYZE sets `reltuples`; before any analysis it is -1. The table's file grows before the
            // insert commits, so an analysis can land mid-insert and count none; the rows then show in
            // `n_mod_since_analyze` once the backend reports its counters, which takes seconds on a busy
            // machine (a full `make test` once missed a 10 s limit, and 30 s while the export test kept both
            // cores busy for minutes).
            try await eventually(timeout: .seconds(90), "rollouts analyzed by the store") {
                let rows = try await store.database.rows("SELECT reltuples::int8 FROM pg_class WHERE relname = 'rollouts'")
                return try rows.first?.decode(Int64.self) == 1500
            }
        }
    }

    @Test("the claim's generic plan reaches rollouts through indexes only, with thousands queued")
    func claimGenericPlanUsesIndexes() async throws {
        try await withTestStore { store in
            _ = try await store.client.enqueueRollouts((0..<3000).map { _ in submission() })
            _ = try await store.database.rows("ANALYZE rollouts")
            let plan = try await store.database.withConnection { connection in
                // As on the store's hot pool: the generic plan, whatever the parameters.
                try await connection.query("SET plan_cache_mode = force_generic_plan", logger: testLogger)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "PREPARE claim_probe(int8, text[], text[], int8[]) AS \(ClaimStatement.sql)"), logger: testLogger
                )
                let workers = (1...8).map { "'w\($0)'" }.joined(separator: ",")
                let attempts = (1...8).map { "'at-\($0)'" }.joined(separator: ",")
                let leases = (1...8).map { "\($0 * 2 + 1)" }.joined(separator: ",")
                var lines: [String] = []
                for try await row in try await connection.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN EXECUTE claim_probe(8, ARRAY[\(workers)], ARRAY[\(attempts)], ARRAY[\(leases)]::int8[])"),
                    logger: testLogger
                ) { lines.append(try row.decode(String.self)) }
                return lines.joined(separator: "\n")
            }
            // Before the claim's ANY clause, this plan hashed every row of rollouts for the update.
            #expect(plan.contains("rollouts_queue") && plan.contains("rollouts_pkey"), "\(plan)")
            #expect(!plan.contains("Seq Scan on rollouts"), "\(plan)")
        }
    }
}

private struct PlanModeProbe: PreparedStatement {
    static let sql = "SELECT current_setting('plan_cache_mode')"
    let bindings = PostgresBindings()
}
