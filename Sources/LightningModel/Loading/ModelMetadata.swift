/// Typed reads of a model file's configuration (GGUF metadata, a Hugging Face `config.json`), with
/// errors that name the file and the key.
public struct ModelMetadata {
    /// The file, for errors.
    public let file: String
    private let value: (String) -> Any?

    /// `value(key)` returns an `Int`, `Double`, `Bool`, `String` or array, or nil when the key is absent.
    public init(file: String, value: @escaping (String) -> Any?) {
        self.file = file
        self.value = value
    }

    public func has(_ key: String) -> Bool { value(key) != nil }

    public func int(_ key: String) throws(ModelError) -> Int? {
        guard let raw = value(key) else { return nil }
        if let v = raw as? Int { return v }
        if let v = raw as? Double, v == v.rounded(), abs(v) < 1e15 { return Int(v) }
        throw invalid(key, raw, "an integer")
    }

    public func double(_ key: String) throws(ModelError) -> Double? {
        guard let raw = value(key) else { return nil }
        if let v = raw as? Double { return v }
        if let v = raw as? Int { return Double(v) }
        if let v = raw as? Float { return Double(v) }
        throw invalid(key, raw, "a number")
    }

    public func bool(_ key: String) throws(ModelError) -> Bool? {
        guard let raw = value(key) else { return nil }
        if let v = raw as? Bool { return v }
        throw invalid(key, raw, "true or false")
    }

    public func string(_ key: String) throws(ModelError) -> String? {
        guard let raw = value(key) else { return nil }
        if let v = raw as? String { return v }
        throw invalid(key, raw, "a string")
    }

    public func object(_ key: String) throws(ModelError) -> ModelMetadata? {
        guard let raw = value(key) else { return nil }
        guard let dictionary = raw as? [String: Any] else { throw invalid(key, raw, "an object") }
        return ModelMetadata(file: file) { dictionary[$0] }
    }

    public func requiredInt(_ key: String) throws(ModelError) -> Int {
        guard let v = try int(key) else { throw missing(key) }
        return v
    }

    public func requiredString(_ key: String) throws(ModelError) -> String {
        guard let v = try string(key) else { throw missing(key) }
        return v
    }

    public func missing(_ key: String) -> ModelError {
        ModelError(.invalidConfig, "\(file): the required field \(key) is missing")
    }

    private func invalid(_ key: String, _ raw: Any, _ expected: String) -> ModelError {
        ModelError(.invalidConfig, "\(file): \(key) must be \(expected), got \(raw)")
    }
}
