import Foundation
import LightningCore
import Logging

/// Where lightning-ctl writes: results on stdout (tables for people, JSON with `--json`), errors as one
/// line on stderr.
enum Output {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("lightning-ctl: \(message)\n".utf8))
    }

    /// A note for the person at the terminal that must not mix with the results on stdout.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    /// One JSON document, indented, keys sorted.
    static func json(_ value: JSONValue) throws {
        print(try encode(value, pretty: true))
    }

    /// One JSON document on one line, for JSONL streams.
    static func jsonLine(_ value: JSONValue) throws {
        print(try encode(value, pretty: false))
    }

    static func encode(_ value: JSONValue, pretty: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Whether stdout is a terminal, where progress can redraw one line.
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The client's retries are reported by the exit code and message, not by log lines in the output.
    static let quietLogger = Logger(label: "lightning-ctl") { _ in SwiftLogNoOpLogHandler() }
}
