import Foundation

/// Reads `LIGHTNING_…` environment variables, the source of every option's default in the executables.
/// Each variable may instead name a file in `NAME_FILE` (Docker and Kubernetes secrets), whose contents,
/// without the trailing newline, are the value.
public enum Environment {
    public static func string(_ name: String) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let value = environment[name], !value.isEmpty { return value }
        guard let path = environment[name + "_FILE"], !path.isEmpty else { return nil }
        do {
            let value = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        } catch {
            // A secret that is named but missing is a deployment error: say which, and stop before serving.
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable by this user" : "no such file"
            FileHandle.standardError.write(Data("error: \(name)_FILE names \(path), which cannot be read: \(reason)\n".utf8))
            exit(2)
        }
    }

    public static func string(_ name: String, default fallback: String) -> String {
        string(name) ?? fallback
    }

    public static func int(_ name: String, default fallback: Int) -> Int {
        string(name).flatMap(Int.init) ?? fallback
    }

    public static func double(_ name: String, default fallback: Double) -> Double {
        string(name).flatMap(Double.init) ?? fallback
    }

    public static func bool(_ name: String, default fallback: Bool) -> Bool {
        guard let value = string(name)?.lowercased() else { return fallback }
        return ["1", "true", "yes", "on"].contains(value)
    }

    /// A comma- or whitespace-separated list.
    public static func list(_ name: String) -> [String] {
        (string(name) ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }
}
