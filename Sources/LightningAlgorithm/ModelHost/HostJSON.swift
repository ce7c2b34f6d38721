import Foundation
import Hummingbird
import NIOCore

/// JSON and server-sent-event bodies of the model host.
enum HostJSON {
    static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        do {
            return ByteBuffer(data: try encoder.encode(value))
        } catch {
            // Only non-finite numbers can fail here, and the host never produces them.
            return ByteBuffer(string: #"{"error":{"message":"the response could not be encoded","type":"server_error","param":null,"code":"encoding_failed"}}"#)
        }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: encode(value)))
    }

    /// One SSE event: `data: <json>\n\n`.
    static func event(_ value: some Encodable) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        var json = encode(value)
        buffer.writeBuffer(&json)
        buffer.writeString("\n\n")
        return buffer
    }

    static let done = ByteBuffer(string: "data: [DONE]\n\n")
}
