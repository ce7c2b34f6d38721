// swift-tools-version:6.1
import Foundation
import PackageDescription

/// Settings every target shares: Swift 6 language mode and explicit existentials.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

/// The CPU the numeric kernels are compiled for: `LIGHTNING_TARGET_CPU` (an LLVM CPU name such as
/// `haswell` or `skylake-avx512`; `generic` for any x86-64), else the best of those two this machine runs.
/// Without it Swift's SIMD types compile to SSE2 and the quantized kernels run several times slower.
let targetCPU: String? = {
    if let chosen = ProcessInfo.processInfo.environment["LIGHTNING_TARGET_CPU"] {
        return chosen.isEmpty || chosen == "generic" ? nil : chosen
    }
    #if arch(x86_64)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
    let flags = Set(line.split(separator: " ").map(String.init))
    if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "skylake-avx512" }
    if flags.isSuperset(of: ["avx2", "fma", "bmi2"]) { return "haswell" }
    #endif
    return nil
}()

/// Optimised code even in debug builds for the numeric kernels, so tests of the model run fast.
let numericSettings: [SwiftSetting] = swiftSettings + [
    .unsafeFlags(["-Ounchecked"] + (targetCPU.map { ["-target-cpu", $0] } ?? [])),
]

/// The same for the C kernels: clang's `-march` takes the LLVM CPU names.
let numericCSettings: [CSetting] = [
    .unsafeFlags(["-O3"] + (targetCPU.map { ["-march=\($0)"] } ?? [])),
]

let package = Package(
    name: "agent-lightning-swift",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lightning-store", targets: ["lightning-store"]),
        .executable(name: "lightning-runner", targets: ["lightning-runner"]),
        .executable(name: "lightning-algorithm", targets: ["lightning-algorithm"]),
        .executable(name: "lightning-ctl", targets: ["lightning-ctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // C libraries, each behind one small system-library target.
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Libraries that hold the logic.
        .target(
            name: "LightningCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LightningWire",
            dependencies: [
                "CZeroMQ", "LightningCore",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LightningStore",
            dependencies: [
                "LightningWire", "LightningCore", "CZlib",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LightningClient",
            dependencies: [
                "LightningWire", "LightningCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LightningTasks",
            dependencies: ["CSQLite", "LightningCore", "LightningOpenAI"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LightningRunner",
            dependencies: [
                "LightningClient", "LightningCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LightningFormats",
            swiftSettings: numericSettings
        ),
        .target(
            name: "LightningTokenizer",
            swiftSettings: numericSettings
        ),
        .target(
            name: "LightningTemplate",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CQuantKernels",
            cSettings: numericCSettings
        ),
        .target(
            name: "LightningModel",
            dependencies: ["COpenBLAS", "CQuantKernels", "LightningFormats"],
            swiftSettings: numericSettings
        ),
        .target(
            name: "LightningOpenAI",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LightningAlgorithm",
            dependencies: [
                "LightningModel", "LightningFormats", "LightningTokenizer", "LightningTemplate", "LightningCore", "LightningClient", "LightningWire", "LightningOpenAI", "LightningTasks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LightningServices",
            dependencies: [
                "LightningCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Thin executables: parse options, build services, run them.
        .executableTarget(
            name: "lightning-store",
            dependencies: ["LightningStore", "LightningServices", "LightningWire"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "lightning-runner",
            dependencies: [
                "LightningRunner", "LightningTasks", "LightningClient", "LightningServices", "LightningWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "lightning-algorithm",
            dependencies: [
                "LightningAlgorithm", "LightningModel", "LightningServices", "LightningClient", "LightningCore", "LightningWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "lightning-ctl",
            dependencies: [
                "LightningClient", "LightningCore", "LightningTasks", "LightningAlgorithm", "LightningServices", "LightningWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "lightning-bench",
            dependencies: [
                "LightningClient", "LightningCore", "LightningWire", "LightningModel", "LightningAlgorithm", "LightningRunner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Tests: unit tests need no server; integration tests talk to PostgreSQL and real sockets.
        .testTarget(
            name: "LightningTasksTests",
            dependencies: ["LightningTasks", "LightningCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LightningCoreTests",
            dependencies: ["LightningCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LightningRunnerTests",
            dependencies: ["LightningRunner", "LightningCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LightningWireTests",
            dependencies: ["LightningWire"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LightningFormatsTests",
            dependencies: ["LightningFormats"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LightningTemplateTests",
            dependencies: ["LightningTemplate"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LightningTokenizerTests",
            dependencies: ["LightningTokenizer"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LightningModelTests",
            dependencies: ["LightningModel", "LightningFormats"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LightningAlgorithmTests",
            dependencies: ["LightningAlgorithm", "LightningModel", "LightningOpenAI", "LightningCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "LightningStore", "LightningClient", "LightningWire", "LightningCore", "LightningAlgorithm", "LightningTasks", "LightningModel",
                "LightningOpenAI", "LightningRunner", "LightningTokenizer", "LightningFormats",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)
