import Foundation

/// A Hugging Face model folder: `config.json`, the weights as `model.safetensors` or as shards listed by
/// `model.safetensors.index.json`, and the optional `tokenizer.json`, `tokenizer_config.json`,
/// `chat_template.jinja` and `generation_config.json`.
///
/// Every shard is mapped and validated on open, and every `weight_map` entry must name a tensor its shard
/// holds, so a broken download fails here with the file and tensor named.
public final class HuggingFaceFolder: TensorSource {
    /// The folder's path.
    public let path: String
    /// `config.json`, parsed.
    public let config: [String: JSONValue]
    /// `config.json`'s bytes, for callers that decode their own `Codable` configuration.
    public let configData: Data
    /// `generation_config.json`, parsed, if present.
    public let generationConfig: [String: JSONValue]?
    /// `tokenizer_config.json`, parsed, if present.
    public let tokenizerConfig: [String: JSONValue]?
    /// `tokenizer.json`'s bytes, if present (the tokenizer parses them).
    public let tokenizerData: Data?
    /// The chat templates: from `tokenizer_config.json`'s `chat_template`, else from `chat_template.jinja`
    /// (named `"default"`); empty when neither exists.
    public let chatTemplates: [ChatTemplate]
    /// The weight files, in the order the index first names them (one for `model.safetensors`).
    public let shards: [SafetensorsFile]

    private let shardOfTensor: [String: Int]
    /// Tensor names in shard order, then data order.
    public let tensorNames: [String]

    /// The single-file weights' name.
    public static let singleFileName = "model.safetensors"
    /// The sharded weights' index name.
    public static let indexFileName = "model.safetensors.index.json"

    /// Opens the folder at `path`.
    /// - Throws: `FormatError` `.missingFile` when `config.json` or the weights are missing, `.invalidJSON`
    ///   for malformed JSON or an index whose `weight_map` is wrong, `.tensorNotFound` when a shard lacks a
    ///   tensor the index assigns it, or any `SafetensorsFile` error.
    public init(path: String) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path, isDirectory: true)
        func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

        let configPath = file("config.json")
        guard let configData = try Self.read(configPath) else {
            throw FormatError(.missingFile, "\(path): no config.json")
        }
        self.configData = configData
        self.config = try Self.object(configData, file: configPath)
        self.generationConfig = try Self.read(file("generation_config.json")).map {
            try Self.object($0, file: file("generation_config.json"))
        }
        let tokenizerConfigPath = file("tokenizer_config.json")
        let tokenizerConfig = try Self.read(tokenizerConfigPath).map { try Self.object($0, file: tokenizerConfigPath) }
        self.tokenizerConfig = tokenizerConfig
        self.tokenizerData = try Self.read(file("tokenizer.json"))

        if let value = tokenizerConfig?["chat_template"], !value.isNull {
            chatTemplates = try ChatTemplate.parse(value, file: tokenizerConfigPath)
        } else if let jinja = try Self.read(file("chat_template.jinja")) {
            chatTemplates = [ChatTemplate(name: "default", template: String(decoding: jinja, as: UTF8.self))]
        } else {
            chatTemplates = []
        }

        let weights = try Self.openWeights(folder: path, file: file)
        shards = weights.shards
        shardOfTensor = weights.shardOfTensor
        tensorNames = weights.names
    }

    /// The template named `name` (`"default"` unless the list names others), or `nil`.
    public func chatTemplate(named name: String = "default") -> String? {
        chatTemplates.first { $0.name == name }?.template
    }

    public func containsTensor(named name: String) -> Bool { shardOfTensor[name] != nil }

    /// The shard holding `name`, or `nil`.
    public func shard(containing name: String) -> SafetensorsFile? {
        shardOfTensor[name].map { shards[$0] }
    }

    /// The tensor, from whichever shard holds it.
    /// - Throws: `FormatError(.tensorNotFound)` naming the folder, or what `SafetensorsFile.tensor(named:)`
    ///   throws.
    public func tensor(named name: String) throws -> TensorView {
        guard let shard = shard(containing: name) else {
            throw FormatError(.tensorNotFound, "\(path): no tensor named '\(name)' in \(shards.count) weight file(s)")
        }
        return try shard.tensor(named: name)
    }

    /// The bytes of `path`, or `nil` when there is no such file.
    static func read(_ path: String) throws -> Data? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FormatError(.io, "\(path): cannot read: \(error.localizedDescription)")
        }
    }

    static func object(_ data: Data, file: String) throws -> [String: JSONValue] {
        do {
            return try JSONDecoder().decode([String: JSONValue].self, from: data)
        } catch {
            throw FormatError(.invalidJSON, "\(file): not a JSON object: \(error)")
        }
    }
}
