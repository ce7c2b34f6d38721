import Foundation
import LightningClient
import LightningCore
import LightningWire
import SwiftProtobuf
import Testing

/// Malformed and hostile frames from a raw socket: every one gets an error reply with a stable code,
/// and the store keeps serving.
@Suite struct HostileInputTests {
    func request(version: UInt32 = WireProtocol.version, id: UInt64, _ call: Lightning_V1_Request.OneOf_Call? = nil) throws -> [UInt8] {
        var request = Lightning_V1_Request()
        request.protocolVersion = version
        request.requestID = id
        request.call = call
        return try request.encodedBytes()
    }

    func error(in frames: [[UInt8]]?) throws -> (UInt64, ErrorCode?) {
        let payload = try #require(frames?.last)
        let response = try Lightning_V1_Response(decoding: payload)
        guard case .error(let error)? = response.result else { return (response.requestID, nil) }
        return (response.requestID, error.core.code)
    }

    @Test("malformed frames, wrong versions, unknown calls and oversized messages get error replies")
    func hostileFrames() async throws {
        try await withTestStore(configure: { $0.server.maxMessageBytes = 1 << 20 }) { store in
            let raw = try await RawSocket(context: store.context, type: .dealer, endpoint: store.requestEndpoint)
            #expect(try error(in: try await raw.exchange([[0xFF, 0xFF, 0xFF, 0x01]])) == (0, .malformedMessage))
            #expect(try error(in: try await raw.exchange([Array("a".utf8), Array("b".utf8), Array("c".utf8)])) == (0, .malformedMessage))
            #expect(try error(in: try await raw.exchange([[]])) == (0, .protocolVersion))
            #expect(try error(in: try await raw.exchange([try request(version: 99, id: 5, .ping(.init()))])) == (5, .protocolVersion))
            #expect(try error(in: try await raw.exchange([try request(id: 6)])) == (6, .unknownCall))
            // A call number this store does not know (field 99, an empty message), as a newer client would send.
            #expect(try error(in: try await raw.exchange([try request(id: 7) + [0x9A, 0x06, 0x00]])) == (7, .unknownCall))
            // Invalid UTF-8 in a string field.
            var rollout = Lightning_V1_GetRolloutRequest()
            rollout.rolloutID = "ro-x"
            var bytes = try request(id: 8, .getRollout(rollout))
            bytes[bytes.count - 1] = 0xFF
            #expect(try error(in: try await raw.exchange([bytes])).1 == .malformedMessage)
            var update = Lightning_V1_UpdateAttemptRequest()
            update.rolloutID = "ro-x"
            update.attemptID = "at-x"
            #expect(try error(in: try await raw.exchange([try request(id: 9, .updateAttempt(update))])) == (9, .badRequest))
            let big = try request(id: 10, .ping(.init())) + [0x9A, 0x06] + varint(2 << 20) + [UInt8](repeating: 0x41, count: 2 << 20)
            #expect(try error(in: try await raw.exchange([big])) == (10, .messageTooLarge))
            for index in 0..<200 {
                #expect(try error(in: try await raw.exchange([[UInt8](repeating: UInt8(index % 256), count: index)])).1 != nil)
            }
            await raw.close()

            // Beyond four times the limit ZeroMQ drops the peer without a reply; others are unaffected.
            let flooder = try await RawSocket(context: store.context, type: .dealer, endpoint: store.requestEndpoint)
            #expect(try await flooder.exchange([[UInt8](repeating: 0, count: 5 << 20)], timeout: 1000) == nil)
            await flooder.close()

            let requester = try await RawSocket(context: store.context, type: .req, endpoint: store.requestEndpoint)
            let reply = try #require(try await requester.exchange([try request(id: 11, .ping(.init()))]))
            #expect(try Lightning_V1_Response(decoding: reply.last!).requestID == 11)
            await requester.close()
            #expect(try await store.client.ping().protocolVersion == WireProtocol.version)
        }
    }

    func varint(_ value: Int) -> [UInt8] {
        var value = UInt64(value)
        var bytes: [UInt8] = []
        repeat {
            bytes.append(UInt8(value & 0x7F) | (value > 0x7F ? 0x80 : 0))
            value >>= 7
        } while value > 0
        return bytes
    }
}

@Suite struct CurveTests {
    @Test("with CurveZMQ keys only allowed clients get in, and traffic works for them")
    func allowList() async throws {
        let server = try CurveKeyPair.generate()
        let allowed = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        try await withTestStore(configure: {
            $0.server.security = try CurveServerSecurity(serverKeys: server, allowedClientKeys: [allowed.publicKey])
        }) { store in
            let client = try store.makeClient(security: try CurveClientSecurity(serverPublicKey: server.publicKey, clientKeys: allowed))
            defer { client.close() }
            #expect(try await client.ping().protocolVersion == WireProtocol.version)
            #expect(try await client.enqueueRollouts([submission()]).count == 1)

            let refused = try StoreClient(
                configuration: StoreClientConfiguration(
                    endpoints: [store.requestEndpoint],
                    security: try CurveClientSecurity(serverPublicKey: server.publicKey, clientKeys: stranger),
                    requestTimeout: .seconds(1), retry: .none
                ),
                context: store.context
            )
            defer { refused.close() }
            await expectError(.timeout) { try await refused.ping() }

            let plain = try StoreClient(
                configuration: StoreClientConfiguration(endpoints: [store.requestEndpoint], requestTimeout: .seconds(1), retry: .none),
                context: store.context
            )
            defer { plain.close() }
            await expectError(.timeout) { try await plain.ping() }
        }
    }

    @Test("keys are checked when configured")
    func badKeys() {
        #expect(throws: ZMQError.self) { try CurveKeyPair(publicKey: "short", secretKey: "short") }
        #expect(throws: ZMQError.self) {
            try CurveServerSecurity(serverKeys: try CurveKeyPair.generate(), allowedClientKeys: [String(repeating: "~", count: 40)])
        }
    }
}
