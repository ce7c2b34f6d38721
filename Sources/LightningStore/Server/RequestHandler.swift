import LightningCore
import LightningWire
import Logging
import SwiftProtobuf

/// Turns one encoded request into one encoded response: checks size and protocol version, calls the
/// store, and answers every failure with an error that has a stable code. It never throws.
public struct RequestHandler: Sendable {
    let store: any LightningStoreAPI
    let maxMessageBytes: Int
    let logger: Logger

    public init(store: any LightningStoreAPI, maxMessageBytes: Int, logger: Logger) {
        self.store = store
        self.maxMessageBytes = maxMessageBytes
        self.logger = logger
    }

    /// The name of the call in a request, for logs and metrics.
    static func callName(_ call: Lightning_V1_Request.OneOf_Call?) -> String {
        guard let call else { return "unknown" }
        return String(describing: call).split(separator: "(").first.map(String.init) ?? "unknown"
    }

    public func handle(_ payload: [UInt8]) async -> [UInt8] {
        let response = await respond(to: payload)
        do {
            return try response.encodedBytes()
        } catch {
            logger.error("cannot encode a response", metadata: ["store.error": "\(error)"])
            return (try? Lightning_V1_Response.failure(error, requestID: response.requestID).encodedBytes()) ?? []
        }
    }

    func respond(to payload: [UInt8]) async -> Lightning_V1_Response {
        guard payload.count <= maxMessageBytes else {
            return .failure(
                LightningError(.messageTooLarge, "the request has \(payload.count) bytes; the limit is \(maxMessageBytes)"),
                requestID: WireProtocol.requestID(inRequest: payload) ?? 0
            )
        }
        let request: Lightning_V1_Request
        do {
            request = try Lightning_V1_Request(decoding: payload)
        } catch {
            return .failure(error, requestID: WireProtocol.requestID(inRequest: payload) ?? 0)
        }
        guard request.protocolVersion == WireProtocol.version else {
            return .failure(
                LightningError(
                    .protocolVersion,
                    "the request speaks protocol version \(request.protocolVersion); this store speaks \(WireProtocol.version)"
                ),
                requestID: request.requestID
            )
        }
        guard let call = request.call else {
            return .failure(
                LightningError(.unknownCall, "the request names no call this store knows (a newer client, or an empty request)"),
                requestID: request.requestID
            )
        }
        var response = Lightning_V1_Response()
        response.requestID = request.requestID
        do {
            response.result = try await dispatch(call)
        } catch let error as LightningError {
            if error.code == .internal { logger.error("call failed", metadata: ["store.call": "\(Self.callName(call))", "store.error": "\(error)"]) }
            response.result = .error(Lightning_V1_Error(error))
        } catch {
            logger.error("call failed", metadata: ["store.call": "\(Self.callName(call))", "store.error": "\(error)"])
            response.result = .error(Lightning_V1_Error(LightningError(.internal, "\(error)")))
        }
        return response
    }
}
