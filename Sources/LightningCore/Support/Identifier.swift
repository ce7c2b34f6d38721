import Synchronization

/// Makes the prefixed random ids the system uses: `ro-…` rollouts, `at-…` attempts, `rs-…` resources,
/// `job-…` jobs, and OpenTelemetry trace and span ids.
///
/// Ids come from a process-wide counter scrambled by SplitMix64 and seeded once from the system's
/// random source: unique within a process, unpredictable across processes, and far cheaper than a
/// system call per id (a runner makes several ids per span).
public enum Identifier {
    public static let rolloutPrefix = "ro-"
    public static let attemptPrefix = "at-"
    public static let resourcesPrefix = "rs-"
    public static let jobPrefix = "job-"

    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    /// 64 random-looking bits; never the same twice in a process.
    public static func random64() -> UInt64 {
        // SplitMix64 is a bijection, so distinct counter values give distinct outputs.
        var z = counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public static func make(_ prefix: String) -> String {
        prefix + hex(random64(), digits: 16)
    }

    public static func rollout() -> String { make(rolloutPrefix) }
    public static func attempt() -> String { make(attemptPrefix) }
    public static func resources() -> String { make(resourcesPrefix) }
    public static func job() -> String { make(jobPrefix) }

    /// A random OpenTelemetry trace id (32 hex digits, never all zero).
    public static func traceID() -> String {
        hex(random64() | 1, digits: 16) + hex(random64(), digits: 16)
    }

    /// A random OpenTelemetry span id (16 hex digits, never all zero).
    public static func spanID() -> String {
        var value = random64()
        if value == 0 { value = 1 }
        return hex(value, digits: 16)
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
