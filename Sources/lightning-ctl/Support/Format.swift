import Foundation

/// How values read in tables and progress lines.
enum Format {
    /// `2025-11-22 08:05:20` in local time.
    static func date(_ date: Date?) -> String {
        guard let date else { return "-" }
        let parts = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                      parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// `4.2 s`, `850 ms`.
    static func seconds(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        return String(format: seconds < 100 ? "%.1f s" : "%.0f s", seconds)
    }

    /// Metrics and rewards with three decimals; `-` when absent.
    static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
        if abs(value) >= 1000 { return String(format: "%.0f", value) }
        return String(format: "%.3f", value)
    }

    /// At most `limit` characters, with an ellipsis when cut.
    static func clip(_ text: String, _ limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }
}
