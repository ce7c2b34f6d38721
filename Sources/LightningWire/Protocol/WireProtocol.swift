import LightningCore
import SwiftProtobuf

/// Facts of the wire protocol shared by the store and its clients.
public enum WireProtocol {
    /// The protocol version this build speaks; requests of other versions are refused.
    public static let version = UInt32(Lightning_V1_ProtocolVersion.current.rawValue)

    /// Reads `request_id` (field 1) out of an encoded `Response` without decoding the rest, so the
    /// client's socket thread can route a reply cheaply. `nil` when the bytes are not a valid message.
    public static func requestID(inResponse bytes: [UInt8]) -> UInt64? {
        varint(field: 1, in: bytes)
    }

    /// Reads `request_id` (field 2) out of an encoded `Request`, even one too large or too broken to
    /// decode, so that the error reply still reaches the right caller.
    public static func requestID(inRequest bytes: [UInt8]) -> UInt64? {
        varint(field: 2, in: bytes)
    }

    /// The value of a top-level varint field, scanning the encoded fields in order.
    static func varint(field wanted: UInt64, in bytes: [UInt8]) -> UInt64? {
        var reader = VarintReader(bytes: bytes)
        while reader.index < bytes.count {
            guard let key = reader.varint() else { return nil }
            let field = key >> 3
            switch key & 7 {
            case 0:
                guard let value = reader.varint() else { return nil }
                if field == wanted { return value }
            case 1:
                reader.index += 8
            case 2:
                guard let length = reader.varint(), length <= UInt64(bytes.count) else { return nil }
                reader.index += Int(length)
            case 5:
                reader.index += 4
            default:
                return nil
            }
        }
        // proto3 leaves out a zero request_id.
        return reader.index == bytes.count ? 0 : nil
    }

    private struct VarintReader {
        let bytes: [UInt8]
        var index = 0

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
    }
}

extension Lightning_V1_Error {
    public init(_ error: LightningError) {
        self.init()
        code = error.code.rawValue
        message = error.message
    }

    /// Codes this build does not know are kept as `internal`, with the original code in the message.
    public var core: LightningError {
        if let known = ErrorCode(rawValue: code) { return LightningError(known, message) }
        return LightningError(.internal, "\(code): \(message)")
    }
}

extension Lightning_V1_Response {
    /// An error reply to the request with `requestID`.
    public static func failure(_ error: LightningError, requestID: UInt64) -> Lightning_V1_Response {
        var response = Lightning_V1_Response()
        response.requestID = requestID
        response.error = Lightning_V1_Error(error)
        return response
    }
}

extension Lightning_V1_Event {
    public init(_ event: StoreEvent, time: Double) {
        self.init()
        self.time = time
        switch event {
        case .rollout(let change):
            var rollout = Lightning_V1_RolloutEvent()
            rollout.rolloutID = change.rolloutID
            rollout.jobID = change.jobID ?? ""
            rollout.status = .init(change.status)
            if let reward = change.finalReward { rollout.finalReward = reward }
            rollout.mode = .init(change.mode)
            self.rollout = rollout
        case .resources(let id, let version):
            var resources = Lightning_V1_ResourcesEvent()
            resources.resourcesID = id
            resources.version = version
            self.resources = resources
        case .job(let id, let status, let step):
            var job = Lightning_V1_JobEvent()
            job.jobID = id
            job.status = .init(status)
            job.currentStep = UInt32(step)
            self.job = job
        }
    }

    public func core() throws(LightningError) -> StoreEvent {
        switch event {
        case .rollout(let rollout):
            return .rollout(RolloutChange(
                rolloutID: rollout.rolloutID, jobID: rollout.jobID.isEmpty ? nil : rollout.jobID,
                status: try rollout.status.core(), finalReward: rollout.hasFinalReward ? rollout.finalReward : nil,
                mode: try rollout.mode.core() ?? .train
            ))
        case .resources(let resources):
            return .resources(resourcesID: resources.resourcesID, version: resources.version)
        case .job(let job):
            return .job(jobID: job.jobID, status: try job.status.core(), currentStep: Int(job.currentStep))
        case nil:
            throw LightningError(.malformedMessage, "event without content")
        }
    }
}

extension Message {
    /// Serialized bytes; encoding a well-formed message cannot fail, and a failure becomes `internal`.
    public func encodedBytes() throws(LightningError) -> [UInt8] {
        do {
            return try serializedBytes()
        } catch {
            throw LightningError(.internal, "cannot encode \(Self.protoMessageName): \(error)")
        }
    }

    /// Decodes bytes from a peer; anything undecodable is a `malformed_message`.
    public init(decoding bytes: [UInt8]) throws(LightningError) {
        do {
            try self.init(serializedBytes: bytes)
        } catch {
            throw LightningError(.malformedMessage, "cannot decode \(Self.protoMessageName): \(error)")
        }
    }
}
