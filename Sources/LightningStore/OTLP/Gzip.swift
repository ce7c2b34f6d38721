import CZlib
import LightningCore

/// Inflates gzip (or zlib) request bodies, refusing to grow past a limit so that a small hostile body
/// cannot expand into gigabytes.
enum Gzip {
    static func inflate(_ input: [UInt8], limit: Int) throws(LightningError) -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: accept both gzip and zlib headers.
        guard czlib_inflate_init(&stream, 15 + 32) == Z_OK else { throw LightningError(.internal, "cannot start zlib") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            var result = Z_OK
            while result == Z_OK {
                result = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                if output.count + produced > limit { return Z_MEM_ERROR }
                output.append(contentsOf: chunk[0..<produced])
                if result == Z_BUF_ERROR && stream.avail_in == 0 { break }
            }
            return result
        }
        switch status {
        case Z_STREAM_END: return output
        case Z_MEM_ERROR: throw LightningError(.messageTooLarge, "the body inflates to more than \(limit) bytes")
        default: throw LightningError(.badRequest, "the body is not valid gzip data")
        }
    }
}
