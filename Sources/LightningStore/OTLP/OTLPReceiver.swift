import Foundation
import Hummingbird
import LightningCore
import NIOCore
import SwiftProtobuf

/// `POST /v1/traces`: the OTLP/HTTP trace receiver, so that agents instrumented with OpenTelemetry send
/// their spans to the store with no code change. Protobuf and JSON bodies, optionally gzip-compressed;
/// spans that cannot be stored are reported in the partial-success reply, never dropped in silence.
struct OTLPReceiver: Sendable {
    let store: any LightningStoreAPI
    /// The largest body accepted, compressed or not.
    let maxBodyBytes: Int

    enum Encoding {
        case protobuf, json

        var contentType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }
    }

    func export(_ request: Request) async -> Response {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        let encoding: Encoding
        switch mediaType {
        case "application/x-protobuf", "application/protobuf": encoding = .protobuf
        case "application/json": encoding = .json
        default:
            return failure(.unsupportedMediaType, "send application/x-protobuf or application/json, not \(mediaType ?? "no content type")", .json)
        }
        var body: [UInt8]
        do {
            body = Array(buffer: try await request.body.collect(upTo: maxBodyBytes))
        } catch is NIOTooManyBytesError {
            return failure(.contentTooLarge, "the body is larger than \(maxBodyBytes) bytes", encoding)
        } catch {
            return failure(.badRequest, "the body could not be read: \(error)", encoding)
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity": break
        case "gzip", "deflate":
            do {
                body = try Gzip.inflate(body, limit: maxBodyBytes)
            } catch {
                return failure(error.code == .messageTooLarge ? .contentTooLarge : .badRequest, error.message, encoding)
            }
        case let other?:
            return failure(.unsupportedMediaType, "content encoding \(other) is not supported; use gzip or none", encoding)
        }
        let export: Otlp_V1_ExportTraceServiceRequest
        do {
            switch encoding {
            case .protobuf: export = try Otlp_V1_ExportTraceServiceRequest(serializedBytes: body)
            case .json: export = try OTLPJSON.decode(body)
            }
        } catch let error as LightningError {
            return failure(.badRequest, error.message, encoding)
        } catch {
            return failure(.badRequest, "the body is not an OTLP trace export: \(error)", encoding)
        }
        return await store(export, encoding: encoding)
    }

    private func store(_ export: Otlp_V1_ExportTraceServiceRequest, encoding: Encoding) async -> Response {
        let conversion = OTLPSpans.convert(export)
        var rejected = conversion.rejected
        if !conversion.spans.isEmpty {
            do {
                let result = try await store.addSpans(conversion.spans)
                rejected += result.rejected.map { "span \(conversion.spans[$0.index].name.debugDescription): \($0.error.message)" }
            } catch let error as LightningError where error.code.isRetryable {
                // OTLP exporters retry 503 with back-off; the spans are idempotent, so a retry is safe.
                return failure(.serviceUnavailable, error.message, encoding)
            } catch {
                return failure(.badRequest, "\(error)", encoding)
            }
        }
        var response = Otlp_V1_ExportTraceServiceResponse()
        if !rejected.isEmpty {
            response.partialSuccess.rejectedSpans = Int64(rejected.count)
            let shown = rejected.prefix(5).joined(separator: "; ")
            response.partialSuccess.errorMessage = rejected.count > 5 ? "\(shown); and \(rejected.count - 5) more" : shown
        }
        return reply(.ok, response, encoding)
    }

    private func reply(_ status: HTTPResponse.Status, _ message: Otlp_V1_ExportTraceServiceResponse, _ encoding: Encoding) -> Response {
        let bytes: [UInt8]
        switch encoding {
        case .protobuf:
            bytes = (try? message.serializedBytes()) ?? []
        case .json:
            var writer = JSONWriter()
            writer.beginObject()
            if message.hasPartialSuccess {
                writer.key("partialSuccess")
                writer.beginObject()
                writer.key("rejectedSpans")
                writer.string(String(message.partialSuccess.rejectedSpans))
                writer.key("errorMessage")
                writer.string(message.partialSuccess.errorMessage)
                writer.endObject()
            }
            writer.endObject()
            bytes = Array(writer.text.utf8)
        }
        return Response(status: status, headers: [.contentType: encoding.contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An error reply: a google.rpc.Status message (`code` = 1, `message` = 2), in the request's encoding.
    func failure(_ status: HTTPResponse.Status, _ message: String, _ encoding: Encoding) -> Response {
        let bytes: [UInt8]
        switch encoding {
        case .protobuf:
            var encoded: [UInt8] = [0x08]
            encoded += varint(UInt64(status.code))
            let text = Array(message.utf8)
            encoded += [0x12] + varint(UInt64(text.count)) + text
            bytes = encoded
        case .json:
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("code")
            writer.integer(Int64(status.code))
            writer.key("message")
            writer.string(message)
            writer.endObject()
            bytes = Array(writer.text.utf8)
        }
        return Response(status: status, headers: [.contentType: encoding.contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            bytes.append(UInt8(value & 0x7F) | (value > 0x7F ? 0x80 : 0))
            value >>= 7
        } while value > 0
        return bytes
    }
}
