import Foundation
import LightningCore

/// Reads the OTLP/JSON encoding of a trace export into the protobuf messages, so one conversion serves
/// both encodings. As the OTLP specification says: ids are hex strings (not base64), 64-bit integers may
/// be strings or numbers, enums are integers; field names are lowerCamelCase (snake_case is accepted too).
enum OTLPJSON {
    typealias Object = [String: Any]

    static func decode(_ body: [UInt8]) throws(LightningError) -> Otlp_V1_ExportTraceServiceRequest {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(body), options: [])
        } catch {
            throw LightningError(.badRequest, "the body is not valid JSON")
        }
        guard let object = root as? Object else { throw LightningError(.badRequest, "the body must be a JSON object") }
        var request = Otlp_V1_ExportTraceServiceRequest()
        for resourceSpans in try array(object, "resourceSpans", "resource_spans") {
            request.resourceSpans.append(try self.resourceSpans(resourceSpans))
        }
        return request
    }

    private static func resourceSpans(_ object: Object) throws(LightningError) -> Otlp_V1_ResourceSpans {
        var result = Otlp_V1_ResourceSpans()
        if let resource = field(object, "resource") as? Object {
            result.resource.attributes = try keyValues(resource, "attributes")
        }
        for scopeSpans in try array(object, "scopeSpans", "scope_spans") {
            var scope = Otlp_V1_ScopeSpans()
            if let info = field(scopeSpans, "scope") as? Object {
                scope.scope.name = field(info, "name") as? String ?? ""
                scope.scope.version = field(info, "version") as? String ?? ""
            }
            for span in try array(scopeSpans, "spans") { scope.spans.append(try self.span(span)) }
            result.scopeSpans.append(scope)
        }
        return result
    }

    private static func span(_ object: Object) throws(LightningError) -> Otlp_V1_Span {
        var span = Otlp_V1_Span()
        span.traceID = try hex(field(object, "traceId", "trace_id"), name: "traceId")
        span.spanID = try hex(field(object, "spanId", "span_id"), name: "spanId")
        span.parentSpanID = try hex(field(object, "parentSpanId", "parent_span_id"), name: "parentSpanId")
        span.name = field(object, "name") as? String ?? ""
        span.kind = Otlp_V1_Span.SpanKind(rawValue: Int(try integer(field(object, "kind"), name: "kind"))) ?? .unspecified
        span.startTimeUnixNano = UInt64(clamping: try integer(field(object, "startTimeUnixNano", "start_time_unix_nano"), name: "startTimeUnixNano"))
        span.endTimeUnixNano = UInt64(clamping: try integer(field(object, "endTimeUnixNano", "end_time_unix_nano"), name: "endTimeUnixNano"))
        span.attributes = try keyValues(object, "attributes")
        for event in try array(object, "events") {
            var converted = Otlp_V1_Span.Event()
            converted.name = field(event, "name") as? String ?? ""
            converted.timeUnixNano = UInt64(clamping: try integer(field(event, "timeUnixNano", "time_unix_nano"), name: "timeUnixNano"))
            converted.attributes = try keyValues(event, "attributes")
            span.events.append(converted)
        }
        if let status = field(object, "status") as? Object {
            span.status.message = field(status, "message") as? String ?? ""
            span.status.code = Otlp_V1_Status.StatusCode(rawValue: Int(try integer(field(status, "code"), name: "status.code"))) ?? .unset
        }
        return span
    }

    private static func keyValues(_ object: Object, _ name: String) throws(LightningError) -> [Otlp_V1_KeyValue] {
        try array(object, name).map { (entry: Object) throws(LightningError) -> Otlp_V1_KeyValue in
            var keyValue = Otlp_V1_KeyValue()
            keyValue.key = field(entry, "key") as? String ?? ""
            if let value = field(entry, "value") as? Object { keyValue.value = try anyValue(value) }
            return keyValue
        }
    }

    private static func anyValue(_ object: Object) throws(LightningError) -> Otlp_V1_AnyValue {
        var value = Otlp_V1_AnyValue()
        if let text = field(object, "stringValue", "string_value") as? String {
            value.stringValue = text
        } else if let flag = field(object, "boolValue", "bool_value") as? Bool {
            value.boolValue = flag
        } else if let number = field(object, "intValue", "int_value") {
            value.intValue = try integer(number, name: "intValue")
        } else if let number = field(object, "doubleValue", "double_value") {
            guard let double = (number as? NSNumber)?.doubleValue ?? (number as? String).flatMap(Double.init) else {
                throw LightningError(.badRequest, "doubleValue must be a number")
            }
            value.doubleValue = double
        } else if let array = field(object, "arrayValue", "array_value") as? Object {
            var values = Otlp_V1_ArrayValue()
            values.values = try self.array(array, "values").map { (item: Object) throws(LightningError) in try anyValue(item) }
            value.arrayValue = values
        } else if let list = field(object, "kvlistValue", "kvlist_value") as? Object {
            var values = Otlp_V1_KeyValueList()
            values.values = try keyValues(list, "values")
            value.kvlistValue = values
        } else if let text = field(object, "bytesValue", "bytes_value") as? String {
            guard let bytes = Data(base64Encoded: text) else { throw LightningError(.badRequest, "bytesValue must be base64") }
            value.bytesValue = bytes
        }
        return value
    }

    private static func field(_ object: Object, _ names: String...) -> Any? {
        for name in names { if let value = object[name], !(value is NSNull) { return value } }
        return nil
    }

    private static func array(_ object: Object, _ names: String...) throws(LightningError) -> [Object] {
        var found: Any?
        for name in names where found == nil { found = object[name] }
        guard let found, !(found is NSNull) else { return [] }
        guard let array = found as? [Any], let objects = array as? [Object] else {
            throw LightningError(.badRequest, "\(names[0]) must be an array of objects")
        }
        return objects
    }

    private static func integer(_ value: Any?, name: String) throws(LightningError) -> Int64 {
        switch value {
        case nil: return 0
        case let text as String:
            guard let number = Int64(text) ?? UInt64(text).map({ Int64(bitPattern: $0) }) else {
                throw LightningError(.badRequest, "\(name) must be an integer")
            }
            return number
        case let number as NSNumber:
            return number.int64Value
        default:
            throw LightningError(.badRequest, "\(name) must be an integer")
        }
    }

    private static func hex(_ value: Any?, name: String) throws(LightningError) -> Data {
        guard let text = value as? String, !text.isEmpty else { return Data() }
        guard text.utf8.count % 2 == 0 else { throw LightningError(.badRequest, "\(name) must be hex digits") }
        var bytes = Data(capacity: text.utf8.count / 2)
        var high: UInt8?
        for character in text.utf8 {
            guard let nibble = hexValue(character) else { throw LightningError(.badRequest, "\(name) must be hex digits") }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
