import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 keep-alive client over a blocking socket, run on a thread of its own: the
/// lightest client possible, so the measured time is the server's.
final class BlockingHTTPClient: @unchecked Sendable {
    // Safe: used by one request at a time (the benchmark awaits each before sending the next).
    private let socket: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket() failed") }
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to port \(port) failed") }
    }

    func close() { _ = Glibc.close(socket) }

    /// Sends one POST and reads its whole answer on a dedicated thread; returns the round-trip time.
    func timedPost(_ path: String, body: [UInt8], contentType: String = "application/json") async throws -> Duration {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    let start = ContinuousClock.now
                    try self.post(path, body: body, contentType: contentType)
                    continuation.resume(returning: ContinuousClock.now - start)
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    private func post(_ path: String, body: [UInt8], contentType: String) throws {
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\r\n"
        let request = Array(head.utf8) + body
        guard request.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw Failure(description: "send failed")
        }
        var received: [UInt8] = []
        var headerEnd: Int?
        var contentLength = 0
        while headerEnd == nil || received.count < headerEnd! + contentLength {
            let n = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "the server closed the connection") }
            received += buffer[0..<n]
            if headerEnd == nil, let end = Self.find([13, 10, 13, 10], in: received) {
                headerEnd = end + 4
                let head = String(decoding: received[0..<end], as: UTF8.self).lowercased()
                guard head.hasPrefix("http/1.1 200") else { throw Failure(description: "answer: \(head.prefix(40))") }
                let line = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                contentLength = line.flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
            }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }
}
