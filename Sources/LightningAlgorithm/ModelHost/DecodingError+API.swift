import Foundation
import NIOCore

extension APIError {
    /// Decodes a request body, turning decoder failures into 400s that name the field at fault.
    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer) throws(APIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        } catch {
            throw APIError(.badRequest, code: "invalid_json", "the body is not valid JSON: \(error)")
        }
    }

    init(decoding error: DecodingError) {
        func path(_ keys: [any CodingKey]) -> String? {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return text.isEmpty ? nil : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key]) ?? key.stringValue
            self.init(.badRequest, code: "missing_required_parameter", param: field, "the request is missing the required field '\(field)'")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            self.init(.badRequest, code: "invalid_type", param: field,
                      "\(field.map { "'\($0)'" } ?? "the body") has the wrong type: expected \(Self.name(of: type))")
        case .dataCorrupted(let context):
            if let field = path(context.codingPath) {
                self.init(.badRequest, code: "invalid_value", param: field, "'\(field)' is not valid: \(context.debugDescription)")
            } else {
                self.init(.badRequest, code: "invalid_json", "the body is not valid JSON: \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)")
            }
        @unknown default:
            self.init(.badRequest, code: "invalid_json", "the body cannot be read: \(error)")
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "\(type)".contains("Array") ? "an array" : "an object"
        }
    }
}
