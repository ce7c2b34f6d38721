import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LightningClient
import LightningCore
import Testing

/// The store's OTLP/HTTP receiver, fed by the official Python exporter and by hand-made bodies.
@Suite struct OTLPTests {
    func claim(_ store: TestStore) async throws -> ClaimedRollout {
        _ = try await store.client.enqueueRollouts([submission()])
        return try #require(try await store.client.dequeueRollout(workerID: "w", waitSeconds: 0))
    }

    func post(_ store: TestStore, _ body: Data, type: String, encoding: String? = nil, key: String? = nil) async throws -> (Int, String) {
        let port = try #require(store.application.boundHTTPPort)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/traces")!)
        request.httpMethod = "POST"
        request.setValue(type, forHTTPHeaderField: "Content-Type")
        if let encoding { request.setValue(encoding, forHTTPHeaderField: "Content-Encoding") }
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    func jsonExport(rollout: String, attempt: String, spans: Int = 1, spanID: String = "00f067aa0ba902b7") -> Data {
        let span = { (index: Int) in
            """
            {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "\(index == 0 ? spanID : String(format: "%016x", index + 1))",
             "name": "tool.search", "kind": 3, "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": 1700000000500000000,
             "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}},
                            {"key": "count", "value": {"intValue": "7"}},
                            {"key": "nested", "value": {"kvlistValue": {"values": [{"key": "a", "value": {"doubleValue": 1.5}}]}}}],
             "events": [{"name": "retry", "timeUnixNano": "1700000000100000000", "attributes": []}],
             "status": {"code": 2, "message": "no results"}}
            """
        }
        return Data("""
            {"resourceSpans": [{"resource": {"attributes": [
                {"key": "lightning.rollout_id", "value": {"stringValue": "\(rollout)"}},
                {"key": "lightning.attempt_id", "value": {"stringValue": "\(attempt)"}},
                {"key": "service.name", "value": {"stringValue": "agent"}}]},
              "scopeSpans": [{"scope": {"name": "my.agent"}, "spans": [\((0..<spans).map(span).joined(separator: ","))]}]}]}
            """.utf8)
    }

    @Test("spans from the official Python OTLP exporter land on their rollout and attempt")
    func pythonExporter() async throws {
        try await withTestStore { store in
            let claimed = try await claim(store)
            let port = try #require(store.application.boundHTTPPort)
            let (status, output) = try await Python.run(
                """
                from opentelemetry import trace
                from opentelemetry.sdk.resources import Resource
                from opentelemetry.sdk.trace import TracerProvider
                from opentelemetry.sdk.trace.export import BatchSpanProcessor
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
                provider = TracerProvider(resource=Resource.create())
                provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint="http://127.0.0.1:\(port)/v1/traces")))
                tracer = provider.get_tracer("my.agent", "1.2")
                with tracer.start_as_current_span("agent.run") as root:
                    root.set_attribute("task", "calc")
                    with tracer.start_as_current_span("execute_tool calculator") as tool:
                        tool.set_attribute("gen_ai.operation.name", "execute_tool")
                        tool.set_attribute("gen_ai.tool.name", "calculator")
                        tool.set_attribute("numbers", [1, 2, 3])
                        tool.add_event("called", {"expression": "1+2"})
                        tool.set_status(trace.Status(trace.StatusCode.ERROR, "division by zero"))
                provider.shutdown()
                print("sent")
                """,
                environment: ["OTEL_RESOURCE_ATTRIBUTES": "lightning.rollout_id=\(claimed.rollout.rolloutID),lightning.attempt_id=\(claimed.attempt.attemptID)"]
            )
            #expect(status == 0, "\(output)")
            let spans = try await store.client.querySpans(SpanQuery(rolloutID: claimed.rollout.rolloutID))
            #expect(Set(spans.map(\.name)) == ["agent.run", "execute_tool calculator"])
            let tool = try #require(spans.first { $0.name == "execute_tool calculator" })
            let root = try #require(spans.first { $0.name == "agent.run" })
            #expect(tool.parentSpanID == root.spanID && tool.traceID == root.traceID)
            #expect(tool.statusCode == .error && tool.statusMessage == "division by zero")
            let attributes = try tool.attributes.value()
            #expect(attributes["gen_ai.tool.name"] == "calculator")
            #expect(attributes["numbers"] == [1, 2, 3])
            #expect(attributes["otel.scope.name"] == "my.agent")
            #expect(try tool.events.value().arrayValue?.first?["name"] == "called")
            #expect(try tool.resource.value()["lightning.attempt_id"]?.stringValue == claimed.attempt.attemptID)
            // Spans are heartbeats: the attempt runs.
            #expect(try await store.client.getRollout(rolloutID: claimed.rollout.rolloutID).attempts.first?.status == .running)
        }
    }

    @Test("JSON and gzip bodies are accepted; resends are no-ops; unknown rollouts are rejected in the reply")
    func jsonAndPartialSuccess() async throws {
        try await withTestStore { store in
            let claimed = try await claim(store)
            let body = jsonExport(rollout: claimed.rollout.rolloutID, attempt: claimed.attempt.attemptID, spans: 3)
            let (status, reply) = try await post(store, body, type: "application/json")
            #expect(status == 200 && !reply.contains("rejectedSpans"), "\(reply)")
            #expect(try await post(store, body, type: "application/json").0 == 200)
            let gzipped = try gzip(jsonExport(rollout: claimed.rollout.rolloutID, attempt: claimed.attempt.attemptID, spanID: "00f067aa0ba902c8"))
            #expect(try await post(store, gzipped, type: "application/json", encoding: "gzip").0 == 200)
            let spans = try await store.client.querySpans(SpanQuery(rolloutID: claimed.rollout.rolloutID))
            #expect(spans.count == 4)
            let first = try #require(spans.first)
            #expect(try first.attributes.value()["count"] == 7)
            #expect(try first.attributes.value()["nested"] == ["a": 1.5])
            #expect(first.kind == .client && first.startTimeUnixNano == 1_700_000_000_000_000_000)

            let (unknownStatus, unknownReply) = try await post(store, jsonExport(rollout: "ro-unknown", attempt: "at-unknown"), type: "application/json")
            #expect(unknownStatus == 200)
            #expect(unknownReply.contains(#""rejectedSpans":"1""#), "\(unknownReply)")
            #expect(unknownReply.contains("does not exist"))
        }
    }

    @Test("malformed bodies get 400, oversized 413, wrong content types 415, missing keys 401")
    func badInput() async throws {
        try await withTestStore(configure: {
            $0.server.maxMessageBytes = 64 * 1024
            $0.apiKey = "secret"
        }) { store in
            let claimed = try await claim(store)
            let good = jsonExport(rollout: claimed.rollout.rolloutID, attempt: claimed.attempt.attemptID)
            #expect(try await post(store, good, type: "application/json").0 == 401)
            #expect(try await post(store, good, type: "application/json", key: "wrong").0 == 401)
            #expect(try await post(store, good, type: "application/json", key: "secret").0 == 200)
            #expect(try await post(store, Data("{not json".utf8), type: "application/json", key: "secret").0 == 400)
            #expect(try await post(store, Data(#"{"resourceSpans": 5}"#.utf8), type: "application/json", key: "secret").0 == 400)
            #expect(try await post(store, Data([0xFF, 0xFF, 0xFF]), type: "application/x-protobuf", key: "secret").0 == 400)
            #expect(try await post(store, Data("junk".utf8), type: "application/json", encoding: "gzip", key: "secret").0 == 400)
            #expect(try await post(store, Data(count: 100 * 1024), type: "application/json", key: "secret").0 == 413)
            let bomb = try gzip(Data(count: 10 << 20))
            #expect(try await post(store, bomb, type: "application/json", encoding: "gzip", key: "secret").0 == 413)
            #expect(try await post(store, good, type: "text/plain", key: "secret").0 == 415)
            #expect(try await post(store, good, type: "application/json", encoding: "br", key: "secret").0 == 415)
            // And it still serves.
            #expect(try await post(store, good, type: "application/json", key: "secret").0 == 200)
        }
    }

    func gzip(_ data: Data) throws -> Data {
        let directory = NSTemporaryDirectory() + "lt-gz-" + Identifier.make("")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try data.write(to: URL(fileURLWithPath: directory + "/body"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", directory + "/body"]
        try process.run()
        process.waitUntilExit()
        return try Data(contentsOf: URL(fileURLWithPath: directory + "/body.gz"))
    }
}
