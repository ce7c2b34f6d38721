import Foundation
import Hummingbird
import LightningCore

/// The dashboard on the store's HTTP port: jobs with reward and success curves, rollouts, a rollout's
/// attempts and span tree, and workers. Server-rendered from the store API; read-only.
struct Dashboard: Sendable {
    let store: any LightningStoreAPI

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in try await self.respond { try await self.jobsPage() } }
        router.get("/jobs/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.respond { try await self.jobPage(id) }
        }
        router.get("/rollouts") { request, _ in
            let query = request.uri.queryParameters
            return try await self.respond {
                try await self.rolloutsPage(status: query["status"].map(String.init), job: query["job"].map(String.init))
            }
        }
        router.get("/rollouts/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.respond { try await self.rolloutPage(id) }
        }
        router.get("/workers") { _, _ in try await self.respond { try await self.workersPage() } }
    }

    /// Renders a page, or an error page with the right status: 404 for unknown ids, 400 for bad
    /// filters, 503 while the database is away.
    private func respond(_ page: () async throws -> String) async throws -> Response {
        do {
            return StoreHTTP.text(.ok, try await page(), type: "text/html; charset=utf-8")
        } catch let error as LightningError {
            let status: HTTPResponse.Status = switch error.code {
            case .notFound: .notFound
            case .badRequest: .badRequest
            default: .serviceUnavailable
            }
            return StoreHTTP.text(status, HTML.page("Error", "<p>\(HTML.escape(error.message))</p>"), type: "text/html; charset=utf-8")
        }
    }

    // MARK: Pages

    private func jobsPage() async throws -> String {
        let jobs = try await store.listJobs(statuses: [], limit: 100)
        let statistics = try await store.statistics()
        let rows = jobs.map { job in
            [HTML.link("/jobs/\(job.jobID)", job.jobID), HTML.escape(job.algorithm), HTML.escape(job.dataset), HTML.status(job.status.rawValue),
             "\(job.currentStep) / \(job.totalSteps)", "\(job.modelVersion)", HTML.escape(job.owner ?? "–"), HTML.time(job.updatedAt)]
        }
        let counts = statistics.rolloutsByStatus.sorted { $0.key < $1.key }.map { "\(HTML.escape($0.key)): \($0.value)" }.joined(separator: " · ")
        return HTML.page("Training jobs", """
            <p class="muted">Rollouts — \(counts.isEmpty ? "none" : counts) · spans: \(statistics.spans)</p>
            \(HTML.table(["job", "algorithm", "task", "status", "step", "model version", "trainer", "updated"], rows))
            """)
    }

    private func jobPage(_ id: String) async throws -> String {
        try Validation.identifier(id, field: "job id")
        let detail = try await store.getJob(jobID: id, withMetrics: true)
        let job = detail.job
        func series(_ key: String) -> [(x: Double, y: Double)] {
            detail.metrics.compactMap { metrics in metrics.values[key].map { (Double(metrics.step), $0) } }
        }
        let charts = [("mean reward", "mean_reward"), ("success rate", "success_rate"), ("validation success (greedy)", "val_success_rate"),
                      ("loss", "loss"), ("entropy", "entropy"), ("step seconds", "step_seconds")]
            .map { SVGChart.line(title: $0.0, points: series($0.1)) }.joined(separator: "\n")
        let keys = ["mean_reward", "success_rate", "val_success_rate", "loss", "kl", "entropy", "clip_fraction", "tokens_per_second", "staleness", "step_seconds"]
        let rows = detail.metrics.suffix(30).reversed().map { metrics in
            ["\(metrics.step)"] + keys.map { HTML.number(metrics.values[$0]) }
        }
        return HTML.page("Job \(job.jobID)", """
            <p>\(HTML.escape(job.algorithm)) on <b>\(HTML.escape(job.dataset))</b> · \(HTML.status(job.status.rawValue)) ·
            step \(job.currentStep) of \(job.totalSteps) · model version \(job.modelVersion)
            \(job.error.map { "<br><b>error:</b> " + HTML.escape($0) } ?? "")</p>
            <p class="muted">config <code>\(HTML.escape(job.config.text))</code> · \(HTML.link("/rollouts?job=\(job.jobID)", "rollouts"))</p>
            <div>\(charts)</div>
            <h2>Latest steps</h2>
            \(HTML.table(["step"] + keys, rows))
            """)
    }

    private func rolloutsPage(status: String?, job: String?) async throws -> String {
        var query = RolloutQuery(limit: 200)
        if let status {
            guard let value = RolloutStatus(rawValue: status) else { throw LightningError(.badRequest, "unknown status '\(status)'") }
            query.statuses = [value]
        }
        if let job {
            try Validation.identifier(job, field: "job")
            query.jobID = job
        }
        let page = try await store.queryRollouts(query)
        let rows = page.rollouts.map { rollout in
            [HTML.link("/rollouts/\(rollout.rolloutID)", rollout.rolloutID), HTML.status(rollout.status.rawValue), HTML.escape(rollout.mode.rawValue),
             HTML.number(rollout.finalReward), "\(rollout.attemptCount)", HTML.escape(rollout.jobID ?? "–"), HTML.time(rollout.updatedAt)]
        }
        let filter = [status.map { "status \($0)" }, job.map { "job \($0)" }].compactMap { $0 }.joined(separator: ", ")
        return HTML.page("Rollouts", """
            <p class="muted">\(page.total) rollouts\(filter.isEmpty ? "" : " with " + HTML.escape(filter)); the newest \(page.rollouts.count) shown.</p>
            \(HTML.table(["rollout", "status", "mode", "reward", "attempts", "job", "updated"], rows))
            """)
    }

    private func rolloutPage(_ id: String) async throws -> String {
        try Validation.identifier(id, field: "rollout id")
        let detail = try await store.getRollout(rolloutID: id)
        let spans = try await store.querySpans(SpanQuery(rolloutID: id, limit: 2000))
        let rollout = detail.rollout
        let attempts = detail.attempts.map { attempt in
            ["\(attempt.sequence)", HTML.escape(attempt.attemptID), HTML.status(attempt.status.rawValue), HTML.escape(attempt.workerID ?? "–"),
             HTML.time(attempt.startedAt), HTML.time(attempt.endedAt), HTML.escape(attempt.error ?? "")]
        }
        let trees = detail.attempts.map { attempt in
            "<h2>Spans of attempt \(attempt.sequence)</h2>" + SpanTree.render(spans.filter { $0.attemptID == attempt.attemptID })
        }.joined(separator: "\n")
        return HTML.page("Rollout \(rollout.rolloutID)", """
            <p>\(HTML.status(rollout.status.rawValue)) · \(HTML.escape(rollout.mode.rawValue)) · reward \(HTML.number(rollout.finalReward))
            · job \(rollout.jobID.map { HTML.link("/jobs/\($0)", $0) } ?? "–")</p>
            <p class="muted">input <code>\(HTML.escape(String(rollout.input.text.prefix(2000))))</code></p>
            <h2>Attempts</h2>
            \(HTML.table(["#", "attempt", "status", "worker", "started", "ended", "error"], attempts))
            \(trees)
            """)
    }

    private func workersPage() async throws -> String {
        let workers = try await store.listWorkers()
        let rows = workers.map { worker in
            [HTML.escape(worker.workerID), HTML.status(worker.status.rawValue), HTML.time(worker.lastHeartbeatAt),
             worker.currentRolloutID.map { HTML.link("/rollouts/\($0)", $0) } ?? "–"]
        }
        return HTML.page("Workers", HTML.table(["worker", "status", "last heartbeat", "current rollout"], rows))
    }
}

/// A rollout's spans as a tree by parent id (spans whose parent is not among them are roots), in
/// sequence order.
enum SpanTree {
    static func render(_ spans: [Span]) -> String {
        guard !spans.isEmpty else { return "<p class=\"muted\">no spans</p>" }
        let ids = Set(spans.map(\.spanID))
        let children = Dictionary(grouping: spans) { span in span.parentSpanID.flatMap { ids.contains($0) ? $0 : nil } ?? "" }
        func list(_ parent: String, depth: Int) -> String {
            guard depth < 64, let items = children[parent] else { return "" }
            return "<ul class=\"tree\">" + items.sorted { $0.sequence < $1.sequence }.map { span in
                let milliseconds = Double(span.endTimeUnixNano &- span.startTimeUnixNano) / 1e6
                let status = span.statusCode == .error ? " <span class=\"failed\">error \(HTML.escape(span.statusMessage))</span>" : ""
                return "<li><b>\(HTML.escape(span.name))</b> <span class=\"muted\">\(HTML.number(milliseconds, digits: 1)) ms</span>\(status)"
                    + list(span.spanID, depth: depth + 1) + "</li>"
            }.joined() + "</ul>"
        }
        return list("", depth: 0)
    }
}
