import COpenBLAS
import Foundation

/// Makes OpenBLAS use the kernels this CPU can run.
///
/// OpenBLAS 0.3.21 (Debian 12) does not recognise recent Xeons and falls back to its generic
/// "Prescott" kernels: `sgemm` ran 5× slower on this project's machine (27 against 150 GFLOP/s a
/// thread with `OPENBLAS_CORETYPE=SkylakeX`). It picks its kernels while the library loads, before any
/// Swift code runs, so the only remedy is the environment variable at process start: executables
/// call `reexecIfNeeded()` first, which restarts the process once with the variable set.
public enum BLASKernelSelection {
    /// Kernel names OpenBLAS reports for CPUs without AVX2.
    static let generic: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai",
                                       "coppermine", "northwood", "banias", "sandybridge", "unknown"]

    /// The kernels OpenBLAS chose.
    public static var current: String { String(cString: openblas_get_corename()) }

    /// The `OPENBLAS_CORETYPE` this CPU should use, when OpenBLAS chose generic kernels for a CPU with
    /// AVX2 or AVX-512 (nil: leave OpenBLAS alone).
    public static func preferred(chosen: String = current, cpuFlags: Set<String> = cpuFlags()) -> String? {
        guard generic.contains(chosen.lowercased()) else { return nil }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// Restarts the process with `OPENBLAS_CORETYPE` set when OpenBLAS chose generic kernels on a CPU
    /// that has better ones; does nothing when the variable is already set (by the user or a restart).
    public static func reexecIfNeeded() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let core = preferred() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        // execv returns only on failure: keep running on the generic kernels.
    }

    /// The feature flags of the first CPU in `/proc/cpuinfo` (empty elsewhere).
    public static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
