import Foundation

/// Reads `LIGHTNING_…` environment variables, the source of every option's default in the executables.
public enum Environment {
    public static func string(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
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
