import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LightningCore
import Testing

/// The dashboard on the store's HTTP port, rendered by headless Chromium as a browser would.
@Suite struct DashboardTests {
    @Test("jobs with their curves, rollouts, a rollout's span tree and workers render in Chromium; unknown ids are 404")
    func pagesRender() async throws {
        try await withTestStore { store in
            let job = try await store.client.createJob(JobSpec(algorithm: "grpo", dataset: "calc", totalSteps: 3))
            for step in 1...3 {
                try await store.client.recordJobMetrics(JobMetrics(jobID: job.jobID, step: step, values: ["mean_reward": Double(step) / 4, "loss": 0.1]))
            }
            _ = try await store.client.enqueueRollouts([submission(#"{"question":"<script>alert(1)</script>"}"#)])
            let claimed = try #require(try await store.client.dequeueRollout(workerID: "dash-worker", waitSeconds: 0))
            _ = try await store.client.addSpans([
                span(claimed, name: "agent run", id: "00000000000000a1"),
                Span(rolloutID: claimed.rollout.rolloutID, attemptID: claimed.attempt.attemptID, traceID: "0123456789abcdef0123456789abcdef",
                     spanID: "00000000000000a2", parentSpanID: "00000000000000a1", name: "execute_tool calculator", statusCode: .error,
                     statusMessage: "cannot compute", startTimeUnixNano: 1_000, endTimeUnixNano: 3_000_000),
            ])
            let root = "http://127.0.0.1:\(store.application.boundHTTPPort ?? 0)"

            let jobs = try await chromium("\(root)/")
            #expect(jobs.contains(job.jobID) && jobs.contains("Training jobs"))
            let detail = try await chromium("\(root)/jobs/\(job.jobID)")
            #expect(detail.contains("<svg") && detail.contains("<polyline") && detail.contains("mean reward"), "\(detail.prefix(3000))")
            let rollout = try await chromium("\(root)/rollouts/\(claimed.rollout.rolloutID)")
            #expect(rollout.contains("execute_tool calculator") && rollout.contains("cannot compute"))
            // The child span is nested in its parent's list.
            let parent = try #require(rollout.range(of: "agent run")), child = try #require(rollout.range(of: "execute_tool calculator"))
            #expect(parent.lowerBound < child.lowerBound && rollout[parent.upperBound..<child.lowerBound].contains("<ul"))
            #expect(!rollout.contains("<script>alert"), "task text is escaped")
            let rollouts = try await chromium("\(root)/rollouts?job=\(job.jobID)")
            #expect(rollouts.contains("0 rollouts"))
            let workers = try await chromium("\(root)/workers")
            #expect(workers.contains("dash-worker"))

            let (_, missing) = try await URLSession.shared.data(from: URL(string: "\(root)/jobs/job-missing")!)
            #expect((missing as? HTTPURLResponse)?.statusCode == 404)
            let (_, bad) = try await URLSession.shared.data(from: URL(string: "\(root)/rollouts?status=sideways")!)
            #expect((bad as? HTTPURLResponse)?.statusCode == 400)
        }
    }
}

/// The DOM Chromium builds from `url`, serialised.
private func chromium(_ url: String) async throws -> String {
    let directory = NSTemporaryDirectory() + "lt-chromium-" + Identifier.make("")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let output = directory + ".html"
    defer { try? FileManager.default.removeItem(atPath: output) }
    let status = try await Command.run(
        "/bin/sh", ["-c", "exec chromium --headless --no-sandbox --disable-gpu --user-data-dir=\(directory) --dump-dom '\(url)' 2>/dev/null"],
        environment: ProcessInfo.processInfo.environment, outputPath: output)
    let dom = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    guard status == 0, dom.contains("<html") else { throw LightningError(.internal, "chromium exited with \(status): \(dom.prefix(500))") }
    return dom
}
