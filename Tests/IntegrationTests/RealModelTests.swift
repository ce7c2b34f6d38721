import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LightningCore
import Testing

/// `lightning-algorithm serve --model` with SmolLM2-135M-Instruct (`make test` installs it and names it
/// in LIGHTNING_TEST_MODEL), driven by the official `openai` package.
@Suite(.serialized) struct RealModelTests {
    static var modelPath: String {
        get throws {
            guard let path = ProcessInfo.processInfo.environment["LIGHTNING_TEST_MODEL"] else {
                throw LightningError(.notFound, "LIGHTNING_TEST_MODEL is not set; `make test` installs SmolLM2 and sets it")
            }
            return path
        }
    }

    /// Serves the model on a free loopback port until `body` returns.
    static func serving(_ extra: [String] = [], _ body: (String) async throws -> Void) async throws {
        let port = try freePort()
        let logPath = NSTemporaryDirectory() + "lt-real-model-\(port).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try StoreProcess.executable("lightning-algorithm"))
        process.arguments = ["serve", "--model", try modelPath, "--host", "127.0.0.1", "--port", "\(port)", "--threads", "2"] + extra
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        let base = "http://127.0.0.1:\(port)/v1"
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        var ready = false
        while !ready, ContinuousClock.now < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: base + "/models")!) {
                ready = (response as? HTTPURLResponse)?.statusCode == 200
            }
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard ready else {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw LightningError(.internal, "the model host did not answer /v1/models within 60 s; its log:\n\(log)")
        }
        do {
            try await body(base)
        } catch {
            Issue.record("host log: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
            throw error
        }
    }

    static func client(_ base: String, tools: Bool = false) async throws {
        let source = try String(contentsOfFile: repositoryPath("Tests/IntegrationTests/Fixtures/real_model_client.py"), encoding: .utf8)
        let result = try await Python.run(source, environment: ["BASE_URL": base, "TOOLS": tools ? "1" : "0"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("the openai package asks SmolLM2 for the capital of France and gets Paris; streaming, logprobs, OpenAI errors")
    func answersAQuestion() async throws {
        try await Self.serving { base in try await Self.client(base) }
    }

    @Test("a forced tool call round-trips through Qwen2.5's template: tool_calls, streamed deltas, finish_reason tool_calls")
    func toolCallRoundTrip() async throws {
        let template = repositoryPath("Tests/LightningTemplateTests/Fixtures/templates/qwen2.5-instruct.jinja")
        try await Self.serving(["--chat-template", template]) { base in try await Self.client(base, tools: true) }
    }

    @Test("a truncated GGUF is refused at load with the file named, and the process exits non-zero")
    func truncatedModelRefused() async throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try Self.modelPath))
        let truncated = NSTemporaryDirectory() + "lt-truncated-\(Identifier.make("")).gguf"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        defer { try? FileManager.default.removeItem(atPath: truncated) }
        let output = NSTemporaryDirectory() + "lt-truncated-\(Identifier.make("")).log"
        let status = try await Command.run(try StoreProcess.executable("lightning-algorithm"),
                                           ["serve", "--model", truncated, "--port", "\(try freePort())"],
                                           environment: ProcessInfo.processInfo.environment, outputPath: output)
        let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(status != 0, "\(log)")
        #expect(log.contains(truncated), "\(log)")
    }
}
