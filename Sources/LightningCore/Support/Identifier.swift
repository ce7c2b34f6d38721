/// Makes the prefixed random ids the system uses: `ro-…` rollouts, `at-…` attempts, `rs-…` resources,
/// `job-…` jobs. 64 random bits in lowercase hex.
public enum Identifier {
    public static let rolloutPrefix = "ro-"
    public static let attemptPrefix = "at-"
    public static let resourcesPrefix = "rs-"
    public static let jobPrefix = "job-"

    public static func make(_ prefix: String) -> String {
        prefix + hex(UInt64.random(in: .min ... .max), digits: 16)
    }

    public static func rollout() -> String { make(rolloutPrefix) }
    public static func attempt() -> String { make(attemptPrefix) }
    public static func resources() -> String { make(resourcesPrefix) }
    public static func job() -> String { make(jobPrefix) }

    /// A random OpenTelemetry trace id (32 hex digits).
    public static func traceID() -> String {
        hex(UInt64.random(in: 1 ... .max), digits: 16) + hex(UInt64.random(in: .min ... .max), digits: 16)
    }

    /// A random OpenTelemetry span id (16 hex digits, never all zero).
    public static func spanID() -> String {
        hex(UInt64.random(in: 1 ... .max), digits: 16)
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
