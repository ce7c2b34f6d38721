import Foundation
import LightningCore
@testable import LightningWire
import Testing

@Suite struct WireProtocolTests {
    @Test("request ids are read from encoded envelopes without decoding them", arguments: [0, 1, 300, UInt64.max])
    func requestIDs(_ id: UInt64) throws {
        var response = Lightning_V1_Response.failure(LightningError(.notFound, "x"), requestID: id)
        response.requestID = id
        #expect(WireProtocol.requestID(inResponse: try response.encodedBytes()) == id)
        var request = Lightning_V1_Request()
        request.protocolVersion = 1
        request.requestID = id
        request.ping = .init()
        #expect(WireProtocol.requestID(inRequest: try request.encodedBytes()) == id)
    }

    @Test("garbage is not mistaken for a request id")
    func garbage() {
        #expect(WireProtocol.requestID(inResponse: [0xFF, 0xFF, 0xFF]) == nil)
        #expect(WireProtocol.requestID(inResponse: [0x0A, 0x7F]) == nil)
    }

    @Test("router frames split into route and payload for DEALER and REQ peers")
    func frames() {
        let dealer = RouterServer.split([[1, 2], [9]])
        #expect(dealer.route == [[1, 2]] && dealer.payload == [9] && dealer.malformedReason == nil)
        let req = RouterServer.split([[1], [], [9]])
        #expect(req.route == [[1], []] && req.payload == [9])
        #expect(RouterServer.split([[1], [2], [3]]).malformedReason != nil)
        #expect(RouterServer.split([[1]]).malformedReason != nil)
    }

    @Test("records survive the trip through their messages")
    func roundTrips() throws {
        let config = RolloutConfig(timeoutSeconds: 30, unresponsiveSeconds: nil, maxAttempts: 4, retryOn: [.failed])
        #expect(try Lightning_V1_RolloutConfig(config).core() == config)
        let rollout = Rollout(
            rolloutID: "ro-1", jobID: "job-1", input: JSONText(unchecked: #"{"q":1}"#), mode: .val, groupKey: "g",
            status: .running, config: config, finalReward: 0.5, createdAt: Date(timeIntervalSince1970: 10),
            updatedAt: Date(timeIntervalSince1970: 11), endedAt: nil, attemptCount: 2
        )
        #expect(try Lightning_V1_Rollout(rollout).core() == rollout)
        let attempt = Attempt(attemptID: "at-1", rolloutID: "ro-1", sequence: 2, workerID: "w", status: .unresponsive, lease: .max, startedAt: Date(timeIntervalSince1970: 5))
        #expect(try Lightning_V1_Attempt(attempt).core() == attempt)
        let span = Span(
            rolloutID: "ro-1", attemptID: "at-1", sequence: 9, traceID: Identifier.traceID(), spanID: Identifier.spanID(),
            parentSpanID: Identifier.spanID(), name: "chat", kind: .client, statusCode: .error, statusMessage: "boom",
            startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: JSONText(unchecked: #"{"a":1}"#)
        )
        #expect(Lightning_V1_Span(span).core == span)
        let event = StoreEvent.rollout(RolloutChange(rolloutID: "ro-1", jobID: nil, status: .succeeded, finalReward: 1, mode: .train))
        #expect(try Lightning_V1_Event(event, time: 1).core() == event)
    }

    @Test("unknown error codes from a newer store are kept readable")
    func unknownErrorCode() {
        var error = Lightning_V1_Error()
        error.code = "brand_new"
        error.message = "m"
        #expect(error.core == LightningError(.internal, "brand_new: m"))
    }
}
