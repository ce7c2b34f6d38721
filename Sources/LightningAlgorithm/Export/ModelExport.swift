import Foundation
import LightningCore
import LightningFormats
import LightningModel
import LightningTokenizer

/// What a trained model can be exported as.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// A Hugging Face model folder: merged `model.safetensors`, `config.json`, tokenizer files, chat template.
    case huggingFace = "hf"
    /// A PEFT LoRA adapter folder: `adapter_config.json`, `adapter_model.safetensors` (LoRA jobs only).
    case peft
    /// A GGUF file llama.cpp loads, matrices in F16 or Q8_0 (norms and biases F32).
    case ggufF16 = "gguf-f16"
    case ggufQ8_0 = "gguf-q8_0"
}

/// Writes a trained Llama-family model (`LlamaTrainingModel`, its adapters merged unless exporting
/// them alone) in the formats other tools read, carrying over the base model's tokenizer and chat
/// template from the file or folder it was loaded from.
public struct ModelExporter {
    public let model: LlamaTrainingModel
    /// The base model's GGUF file or Hugging Face folder.
    public let basePath: String
    public let baseName: String
    /// The chat template the model host used.
    public let chatTemplate: String

    public init(model: LlamaTrainingModel, base: OpenWeightModel, basePath: String) {
        self.model = model
        self.basePath = basePath
        baseName = base.name
        chatTemplate = base.text.template.source
    }

    /// Writes `format` into `output` (a folder; for GGUF, a `.gguf` file path or a folder to put
    /// `model-<format>.gguf` in). Returns the files written.
    @discardableResult
    public func export(_ format: ExportFormat, to output: String, dtype: SafetensorsDType = .f32) throws -> [String] {
        switch format {
        case .huggingFace: return try exportHuggingFace(to: output, dtype: dtype)
        case .peft: return try exportPEFT(to: output)
        case .ggufF16, .ggufQ8_0:
            let path = output.hasSuffix(".gguf") ? output : (output as NSString).appendingPathComponent("model-\(format.rawValue.dropFirst(5)).gguf")
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try exportGGUF(to: path, matrices: format == .ggufF16 ? .f16 : .q8_0)
            return [path]
        }
    }

    var isGGUFBase: Bool { basePath.hasSuffix(".gguf") }

    private func exportPEFT(to folder: String) throws -> [String] {
        guard let lora = model.lora else {
            throw LightningError(.badRequest, "a PEFT adapter needs a LoRA job; this model trained every weight (export hf or gguf)")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let adapters = model.parameterValues  // under LoRA the trained values are the adapters
        let weights = (folder as NSString).appendingPathComponent("adapter_model.safetensors")
        try adapters.withUnsafeBufferPointer { values in
            try SafetensorsWriter.write(lora.tensors.map { .init(name: $0.name, shape: $0.shape, values: UnsafeBufferPointer(rebasing: values[$0.offset..<($0.offset + $0.count)])) },
                                        to: weights, metadata: ["format": "pt"])
        }
        let c = lora.configuration
        let config: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": baseName, "r": c.rank,
            "lora_alpha": c.alpha, "lora_dropout": c.dropout, "target_modules": c.targets.map(\.rawValue), "bias": "none",
            "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true, "modules_to_save": NSNull(),
            "use_rslora": false, "use_dora": false,
        ]
        let configPath = (folder as NSString).appendingPathComponent("adapter_config.json")
        try Self.writeJSON(config, to: configPath)
        return [configPath, weights]
    }

    private func exportHuggingFace(to folder: String, dtype: SafetensorsDType) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let merged = model.mergedValues()
        let weights = (folder as NSString).appendingPathComponent("model.safetensors")
        try merged.withUnsafeBufferPointer { values in
            try SafetensorsWriter.write(model.layout.tensors.map { .init(name: $0.name, shape: $0.shape, values: UnsafeBufferPointer(rebasing: values[$0.offset..<($0.offset + $0.count)])) },
                                        to: weights, dtype: dtype, metadata: ["format": "pt"])
        }
        var written = [weights]
        let tokenizer = try tokenizerFiles()
        guard model.ropeFrequencyFactors == nil || model.config.rope.llama3Scaling != nil else {
            throw LightningError(.badRequest, "this model's rotary frequency factors (GGUF rope_freqs) have no Hugging Face config equivalent")
        }
        var config = try HuggingFaceConfig.json(model.config, dtype: dtype, bosID: tokenizer.bosID, eosID: tokenizer.eosID)
        config["architectures"] = [model.config.architecture == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"]
        let configPath = (folder as NSString).appendingPathComponent("config.json")
        try Self.writeJSON(config, to: configPath)
        written.append(configPath)
        for (name, data) in tokenizer.files {
            let path = (folder as NSString).appendingPathComponent(name)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            written.append(path)
        }
        return written
    }

    /// `tokenizer.json`, `tokenizer_config.json` (with the chat template) and `generation_config.json`:
    /// copied from a Hugging Face base, or built from a GGUF base's `tokenizer.ggml.*` metadata.
    private func tokenizerFiles() throws -> (files: [(String, Data)], bosID: Int?, eosID: Int?) {
        if isGGUFBase {
            let file = try GGUFFile(path: basePath)
            let data = try OpenWeightModel.ggufTokenizer(file.metadata, path: basePath)
            let json = try TokenizerJSON.make(data)
            var tokenizerConfig: [String: Any] = ["chat_template": chatTemplate, "clean_up_tokenization_spaces": false,
                                                  "model_max_length": model.config.context, "tokenizer_class": "PreTrainedTokenizerFast"]
            if let bos = data.bosID { tokenizerConfig["bos_token"] = data.tokens[Int(bos)] }
            if let eos = data.eosID { tokenizerConfig["eos_token"] = data.tokens[Int(eos)] }
            tokenizerConfig["add_bos_token"] = data.addBOS ?? false
            var generation: [String: Any] = [:]
            if let bos = data.bosID { generation["bos_token_id"] = Int(bos) }
            if let eos = data.eosID { generation["eos_token_id"] = Int(eos) }
            return ([("tokenizer.json", json), ("tokenizer_config.json", try Self.jsonData(tokenizerConfig)),
                     ("generation_config.json", try Self.jsonData(generation))], data.bosID.map(Int.init), data.eosID.map(Int.init))
        }
        var files: [(String, Data)] = []
        for name in ["tokenizer.json", "special_tokens_map.json", "generation_config.json"] {
            if let data = FileManager.default.contents(atPath: (basePath as NSString).appendingPathComponent(name)) { files.append((name, data)) }
        }
        var tokenizerConfig: [String: Any] = [:]
        if let data = FileManager.default.contents(atPath: (basePath as NSString).appendingPathComponent("tokenizer_config.json")),
           let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
            tokenizerConfig = object
        }
        tokenizerConfig["chat_template"] = chatTemplate
        files.append(("tokenizer_config.json", try Self.jsonData(tokenizerConfig)))
        let baseConfig = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: (basePath as NSString).appendingPathComponent("config.json"))))) as? [String: Any]
        return (files, baseConfig?["bos_token_id"] as? Int, baseConfig?["eos_token_id"] as? Int)
    }

    static func jsonData(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    static func writeJSON(_ object: [String: Any], to path: String) throws {
        try jsonData(object).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// `config.json` of a Hugging Face `LlamaForCausalLM` / `Qwen2ForCausalLM`.
enum HuggingFaceConfig {
    static func json(_ c: LlamaConfig, dtype: SafetensorsDType, bosID: Int?, eosID: Int?) throws -> [String: Any] {
        guard c.rope.pairing == .halfSplit, c.rope.dimensions == c.headSize else {
            throw LightningError(.badRequest, "this model's rotary layout has no Hugging Face config equivalent")
        }
        var config: [String: Any] = [
            "model_type": c.architecture == "qwen2" ? "qwen2" : "llama", "hidden_size": c.width,
            "intermediate_size": c.hiddenWidth, "num_hidden_layers": c.layers, "num_attention_heads": c.heads,
            "num_key_value_heads": c.kvHeads, "head_dim": c.headSize, "vocab_size": c.vocabularySize,
            "max_position_embeddings": c.context, "rms_norm_eps": Double(c.normEpsilon), "rope_theta": c.rope.theta,
            "tie_word_embeddings": c.tiedEmbeddings, "hidden_act": "silu", "initializer_range": 0.02,
            "torch_dtype": dtype == .bf16 ? "bfloat16" : dtype == .f16 ? "float16" : "float32", "use_cache": true,
        ]
        if c.architecture != "qwen2" { config["attention_bias"] = c.attentionBias; config["mlp_bias"] = false }
        if let s = c.rope.llama3Scaling {
            config["rope_scaling"] = ["rope_type": "llama3", "factor": s.factor, "low_freq_factor": s.lowFrequencyFactor,
                                      "high_freq_factor": s.highFrequencyFactor, "original_max_position_embeddings": Int(s.originalContext)]
        }
        if let bosID { config["bos_token_id"] = bosID }
        if let eosID { config["eos_token_id"] = eosID }
        return config
    }
}
