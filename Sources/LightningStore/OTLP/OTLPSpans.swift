import Foundation
import LightningCore

/// Turns an OTLP trace export into store spans. A span belongs to the rollout and attempt named by the
/// `lightning.rollout_id` and `lightning.attempt_id` attributes of its resource (which the runner sets
/// through `OTEL_RESOURCE_ATTRIBUTES`); the span's own attributes may override them.
enum OTLPSpans {
    static let rolloutKey = "lightning.rollout_id"
    static let attemptKey = "lightning.attempt_id"

    struct Conversion {
        var spans: [Span] = []
        var rejected: [String] = []
    }

    static func convert(_ request: Otlp_V1_ExportTraceServiceRequest) -> Conversion {
        var conversion = Conversion()
        for resourceSpans in request.resourceSpans {
            let resourceAttributes = resourceSpans.resource.attributes
            let resource = object(resourceAttributes)
            let resourceRollout = stringAttribute(rolloutKey, in: resourceAttributes)
            let resourceAttempt = stringAttribute(attemptKey, in: resourceAttributes)
            for scopeSpans in resourceSpans.scopeSpans {
                for span in scopeSpans.spans {
                    let rolloutID = stringAttribute(rolloutKey, in: span.attributes) ?? resourceRollout
                    let attemptID = stringAttribute(attemptKey, in: span.attributes) ?? resourceAttempt
                    guard let rolloutID, let attemptID else {
                        conversion.rejected.append("span \(span.name.debugDescription) names no \(rolloutKey) and \(attemptKey)")
                        continue
                    }
                    guard span.traceID.count == 16, span.spanID.count == 8, span.parentSpanID.isEmpty || span.parentSpanID.count == 8 else {
                        conversion.rejected.append("span \(span.name.debugDescription) has a malformed trace or span id")
                        continue
                    }
                    conversion.spans.append(Span(
                        rolloutID: rolloutID, attemptID: attemptID, traceID: hex(span.traceID), spanID: hex(span.spanID),
                        parentSpanID: span.parentSpanID.isEmpty ? nil : hex(span.parentSpanID), name: span.name,
                        kind: kind(span.kind), statusCode: statusCode(span.status.code), statusMessage: span.status.message,
                        startTimeUnixNano: span.startTimeUnixNano, endTimeUnixNano: span.endTimeUnixNano,
                        attributes: attributes(span, scope: scopeSpans.scope), events: events(span.events), resource: resource
                    ))
                }
            }
        }
        return conversion
    }

    private static func attributes(_ span: Otlp_V1_Span, scope: Otlp_V1_InstrumentationScope) -> JSONText {
        var writer = JSONWriter()
        writer.beginObject()
        for attribute in span.attributes {
            writer.key(attribute.key)
            write(attribute.value, to: &writer)
        }
        if !scope.name.isEmpty {
            writer.key("otel.scope.name")
            writer.string(scope.name)
        }
        if !scope.version.isEmpty {
            writer.key("otel.scope.version")
            writer.string(scope.version)
        }
        writer.endObject()
        return JSONText(unchecked: writer.text)
    }

    private static func events(_ events: [Otlp_V1_Span.Event]) -> JSONText {
        guard !events.isEmpty else { return .emptyArray }
        var writer = JSONWriter()
        writer.beginArray()
        for event in events {
            writer.beginObject()
            writer.key("name")
            writer.string(event.name)
            writer.key("time_unix_nano")
            writer.integer(Int64(clamping: event.timeUnixNano))
            writer.key("attributes")
            writer.raw(object(event.attributes))
            writer.endObject()
        }
        writer.endArray()
        return JSONText(unchecked: writer.text)
    }

    static func object(_ attributes: [Otlp_V1_KeyValue]) -> JSONText {
        guard !attributes.isEmpty else { return .emptyObject }
        var writer = JSONWriter()
        writer.beginObject()
        for attribute in attributes {
            writer.key(attribute.key)
            write(attribute.value, to: &writer)
        }
        writer.endObject()
        return JSONText(unchecked: writer.text)
    }

    private static func write(_ value: Otlp_V1_AnyValue, to writer: inout JSONWriter) {
        switch value.value {
        case .stringValue(let text)?: writer.string(text)
        case .boolValue(let flag)?: writer.bool(flag)
        case .intValue(let number)?: writer.integer(number)
        case .doubleValue(let number)?: writer.number(number)
        case .arrayValue(let array)?:
            writer.beginArray()
            for item in array.values { write(item, to: &writer) }
            writer.endArray()
        case .kvlistValue(let list)?:
            writer.beginObject()
            for entry in list.values {
                writer.key(entry.key)
                write(entry.value, to: &writer)
            }
            writer.endObject()
        case .bytesValue(let bytes)?: writer.string(bytes.base64EncodedString())
        case nil: writer.null()
        }
    }

    private static func stringAttribute(_ key: String, in attributes: [Otlp_V1_KeyValue]) -> String? {
        guard let attribute = attributes.last(where: { $0.key == key }), case .stringValue(let text)? = attribute.value.value, !text.isEmpty else {
            return nil
        }
        return text
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: Data) -> String {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func kind(_ kind: Otlp_V1_Span.SpanKind) -> SpanKind {
        switch kind {
        case .internal: .internal
        case .server: .server
        case .client: .client
        case .producer: .producer
        case .consumer: .consumer
        case .unspecified, .UNRECOGNIZED: .unspecified
        }
    }

    private static func statusCode(_ code: Otlp_V1_Status.StatusCode) -> SpanStatusCode {
        switch code {
        case .ok: .ok
        case .error: .error
        case .unset, .UNRECOGNIZED: .unset
        }
    }
}
