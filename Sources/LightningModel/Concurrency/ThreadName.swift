import Foundation

/// Names the calling thread for debuggers, profilers and `/proc`.
///
/// Foundation's `Thread.name` setter on Linux renames the OS thread only once the starting thread has
/// recorded the new thread's handle, which races with the new thread's first instructions; a thread
/// that loses the race keeps the name inherited from its creator. Writing `/proc/thread-self/comm`
/// renames it reliably (best effort; names are cut to 15 bytes).
enum ThreadName {
    static func set(_ name: String) {
        Thread.current.name = name
        #if os(Linux)
        try? String(name.utf8.prefix(15))?.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
        #endif
    }
}
