import Foundation

/// Small HTML building blocks for the dashboard: escaped text, tables and the page frame. Everything is
/// inline (no scripts, fonts or external files), so the page works on an air-gapped cluster.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A link to `path` (ids are URL-path safe by the store's identifier rules; escaped all the same).
    static func link(_ path: String, _ text: String) -> String {
        "<a href=\"\(escape(path))\">\(escape(text))</a>"
    }

    /// A table; cells are HTML already (escape text before passing it).
    static func table(_ headers: [String], _ rows: [[String]], empty: String = "none yet") -> String {
        guard !rows.isEmpty else { return "<p class=\"muted\">\(escape(empty))</p>" }
        let head = headers.map { "<th>\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    static func page(_ title: String, _ body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) · Agent Lightning</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1d2330;background:#fafbfc}
        h1{font-size:1.3rem} h2{font-size:1.05rem;margin-top:1.6rem}
        table{border-collapse:collapse;font-size:.85rem} th,td{padding:.25rem .6rem;border-bottom:1px solid #dde1e8;text-align:left}
        th{background:#eef1f5} .muted{color:#6b7280} code{font-size:.85rem}
        .succeeded{color:#15803d} .failed,.timeout,.unresponsive,.cancelled{color:#b91c1c} .running,.preparing{color:#1d4ed8}
        nav a{margin-right:1rem} svg{background:#fff;border:1px solid #dde1e8;margin:.3rem .6rem .3rem 0}
        ul.tree{list-style:none;padding-left:1.1rem;font-size:.85rem} ul.tree li{margin:.15rem 0}
        </style></head><body>
        <nav><a href="/">Jobs</a><a href="/rollouts">Rollouts</a><a href="/workers">Workers</a></nav>
        <h1>\(escape(title))</h1>
        \(body)
        </body></html>
        """
    }

    static func status(_ value: String) -> String {
        "<span class=\"\(escape(value))\">\(escape(value))</span>"
    }

    static func number(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    static func time(_ date: Date?) -> String {
        guard let date else { return "–" }
        return escape(date.formatted(.iso8601))
    }
}
