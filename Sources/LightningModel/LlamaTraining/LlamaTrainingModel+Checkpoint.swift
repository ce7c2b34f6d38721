import Foundation
import LightningFormats

/// Checkpoints of a Llama training model: a safetensors file holding the trained values under their
/// Hugging Face or PEFT names, the AdamW moments beside them (`optimizer.exp_avg.<name>`,
/// `optimizer.exp_avg_sq.<name>`), and in the metadata the model shape, the LoRA settings, the
/// optimizer settings and step, and the model version. Readable by any safetensors reader.
extension LlamaTrainingModel {
    static let checkpointFormat = "lightning-llama-training-1"

    private var trainedTensors: [LlamaParameterLayout.Tensor] { lora?.tensors ?? layout.tensors }

    /// Writes the trained values and optimizer state to `path` atomically.
    public func saveCheckpoint(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        var metadata = ["format": Self.checkpointFormat, "config": try json(config), "adamw": try json(optimizer),
                        "optimizer_step": "\(optimizerStep)", "model_version": "\(version)"]
        if let lora { metadata["lora"] = try json(lora.configuration) }
        var tensors: [SafetensorsWriter.Tensor] = []
        for (prefix, buffer) in [("", trained.values), ("optimizer.exp_avg.", trained.firstMoment), ("optimizer.exp_avg_sq.", trained.secondMoment)] {
            for tensor in trainedTensors {
                tensors.append(.init(name: prefix + tensor.name, shape: tensor.shape,
                                     values: UnsafeBufferPointer(start: buffer.pointer + tensor.offset, count: tensor.count)))
            }
        }
        try SafetensorsWriter.write(tensors, to: path, metadata: metadata)
    }

    /// The LoRA settings a checkpoint was trained with (nil: it holds full weights), to build the
    /// model that restores it.
    public static func checkpointLoRA(at path: String) throws -> LoRAConfiguration? {
        let metadata = try SafetensorsFile(path: path).metadata
        guard metadata["format"] == checkpointFormat else {
            throw ModelError(.invalidTensor, "\(path) is not a Llama training checkpoint (format \(metadata["format"] ?? "none"))")
        }
        return try metadata["lora"].map { try JSONDecoder().decode(LoRAConfiguration.self, from: Data($0.utf8)) }
    }

    /// Restores the trained values, optimizer state and version saved by `saveCheckpoint`. Refuses a
    /// checkpoint of another model shape or other LoRA settings, changing nothing.
    public func restoreCheckpoint(from path: String) throws {
        let file = try SafetensorsFile(path: path)
        let metadata = file.metadata
        guard metadata["format"] == Self.checkpointFormat else {
            throw ModelError(.invalidTensor, "\(path) is not a Llama training checkpoint (format \(metadata["format"] ?? "none"))")
        }
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
            try metadata[key].map { try decoder.decode(T.self, from: Data($0.utf8)) }
        }
        guard let saved = try decode(LlamaConfig.self, "config"), saved == config else {
            throw ModelError(.configMismatch, "\(path) was trained from another base model than \(config.architecture) \(config.layers)×\(config.width)")
        }
        guard try decode(LoRAConfiguration.self, "lora") == lora?.configuration else {
            throw ModelError(.configMismatch, "\(path) holds \(metadata["lora"].map { "a LoRA adapter \($0)" } ?? "full weights"), the job trains \(lora.map { "LoRA rank \($0.configuration.rank)" } ?? "every weight")")
        }
        guard let step = metadata["optimizer_step"].flatMap(Int.init), let savedVersion = metadata["model_version"].flatMap(Int.init),
              let settings = try decode(AdamW.self, "adamw") else {
            throw ModelError(.invalidTensor, "\(path): the checkpoint's optimizer metadata is missing")
        }
        // Read everything before changing anything.
        var values: [(Int, [Float])] = []
        for (prefix, index) in [("", 0), ("optimizer.exp_avg.", 1), ("optimizer.exp_avg_sq.", 2)] {
            for tensor in trainedTensors {
                let floats = try file.floats(named: prefix + tensor.name)
                guard floats.count == tensor.count else {
                    throw ModelError(.invalidTensor, "\(path): \(prefix + tensor.name) has \(floats.count) values, not \(tensor.count)")
                }
                values.append((index, floats))
            }
        }
        let buffers = [trained.values, trained.firstMoment, trained.secondMoment]
        for ((index, floats), tensor) in zip(values, Array(repeating: trainedTensors, count: 3).joined()) {
            floats.withUnsafeBufferPointer { (buffers[index].pointer + tensor.offset).update(from: $0.baseAddress!, count: tensor.count) }
        }
        optimizerStep = step
        version = savedVersion
        optimizer = settings
        pending = nil
    }
}
