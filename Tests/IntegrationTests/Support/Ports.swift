import Foundation
import LightningCore

/// A loopback TCP port nobody listens on right now.
func freePort() throws -> Int {
    guard let port = bindLoopback(port: 0) else { throw LightningError(.internal, "cannot find a free port") }
    return port
}

/// `consecutive` free loopback ports (the first is returned) for a server that stops and starts again
/// on them. Chosen below the kernel's ephemeral range (32768 up): a port there may be taken by some
/// outgoing connection while the server is down, and the restart would fail to bind.
func restartablePort(consecutive: Int = 1) throws -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: 20_000...32_000)
        if (port..<port + consecutive).allSatisfy({ bindLoopback(port: $0) != nil }) { return port }
    }
    throw LightningError(.internal, "cannot find \(consecutive) free consecutive ports")
}

/// Binds a socket to `port` (0: any) on 127.0.0.1 and closes it again; the port it got, or nil.
private func bindLoopback(port: Int) -> Int? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
}
