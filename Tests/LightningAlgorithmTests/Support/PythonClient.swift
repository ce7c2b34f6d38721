import Foundation

/// Runs the official `openai` Python package against a test host (`OpenAIScript.source`, one mode per
/// run) and returns what the script printed: the SDK's parsed objects dumped as JSON.
enum PythonClient {
    /// Installs the `openai` package once per test process when it is missing.
    private static let setUp = Task<Void, any Error> {
        let check = try await run(["python3", "-c", "import openai"])
        guard check.status != 0 else { return }
        let install = try await run(["python3", "-m", "pip", "install", "-q", "openai"])
        guard install.status == 0 else { throw TestFailure("pip install openai failed: \(install.stderr)") }
    }

    private static let script: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lightning-openai-\(getpid()).py")
        try? Data(OpenAIScript.source.utf8).write(to: url)
        return url
    }()

    /// Runs one mode of the script; fails unless it exits 0 with a JSON object on stdout.
    static func run(_ mode: String, baseURL: URL, apiKey: String = "unused", model: String = TestHost.modelName) async throws -> [String: Any] {
        try await setUp.value
        let result = try await run(["python3", script.path, mode, baseURL.absoluteString, apiKey, model])
        guard result.status == 0 else { throw TestFailure("python \(mode) exited \(result.status): \(result.stderr)") }
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw TestFailure("python \(mode) printed no JSON object: \(result.stdout)")
        }
        return object
    }

    /// Runs a process to its end without blocking a thread of the cooperative pool; output goes
    /// through files so a chatty process cannot fill a pipe and stall.
    static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let directory = FileManager.default.temporaryDirectory
        let out = directory.appendingPathComponent("py-\(UUID().uuidString).out")
        let err = directory.appendingPathComponent("py-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return (status, (try? String(contentsOf: out, encoding: .utf8)) ?? "", (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
