extension LlamaConfig {
    /// Architectures whose GGUF files this library runs, and whether their query/key rows were
    /// permuted for adjacent-pair rotation by llama.cpp's converter.
    static let ggufArchitectures: [String: Bool] = ["llama": true, "qwen2": false]

    /// The configuration in a GGUF file's metadata (`general.architecture` and its `{arch}.*` keys).
    /// `vocabularySize` comes from the token embedding; `hasBiases` and `hasOutput` from the tensors.
    static func gguf(_ metadata: ModelMetadata, vocabularySize: Int, hasBiases: Bool, hasOutput: Bool) throws(ModelError) -> LlamaConfig {
        let arch = try metadata.requiredString("general.architecture")
        guard ggufArchitectures[arch] != nil else {
            throw ModelError(.unsupportedModel, "\(metadata.file): the architecture '\(arch)' is not supported (supported: \(ggufArchitectures.keys.sorted().joined(separator: ", ")))")
        }
        let width = try metadata.requiredInt("\(arch).embedding_length")
        let heads = try metadata.requiredInt("\(arch).attention.head_count")
        let headSize = try metadata.int("\(arch).attention.key_length") ?? width / max(1, heads)
        if let type = try metadata.string("\(arch).rope.scaling.type"), type != "none" {
            throw ModelError(.unsupportedModel, "\(metadata.file): rope scaling '\(type)' is not supported")
        }
        let config = LlamaConfig(
            architecture: arch, layers: try metadata.requiredInt("\(arch).block_count"), width: width,
            hiddenWidth: try metadata.requiredInt("\(arch).feed_forward_length"), heads: heads,
            kvHeads: try metadata.int("\(arch).attention.head_count_kv") ?? heads, headSize: headSize,
            vocabularySize: vocabularySize, context: try metadata.requiredInt("\(arch).context_length"),
            normEpsilon: Float(try metadata.double("\(arch).attention.layer_norm_rms_epsilon") ?? 1e-5),
            rope: RotaryConfig(theta: try metadata.double("\(arch).rope.freq_base") ?? 10_000,
                               dimensions: try metadata.int("\(arch).rope.dimension_count") ?? headSize, pairing: .halfSplit),
            tiedEmbeddings: !hasOutput, attentionBias: hasBiases)
        try config.validate()
        return config
    }

    /// The `model_type`s of Hugging Face folders this library runs; Qwen2 always has Q/K/V biases.
    static let huggingFaceTypes: [String: Bool] = ["llama": false, "mistral": false, "qwen2": true]

    /// The configuration in a Hugging Face `config.json`.
    static func huggingFace(_ config: ModelMetadata) throws(ModelError) -> LlamaConfig {
        let type = try config.requiredString("model_type")
        guard let biased = huggingFaceTypes[type] else {
            throw ModelError(.unsupportedModel, "\(config.file): model_type '\(type)' is not supported (supported: \(huggingFaceTypes.keys.sorted().joined(separator: ", ")))")
        }
        let width = try config.requiredInt("hidden_size")
        let heads = try config.requiredInt("num_attention_heads")
        let headSize = try config.int("head_dim") ?? width / max(1, heads)
        var context = try config.requiredInt("max_position_embeddings")
        // Sliding-window attention equals full attention within the window: serve only that much.
        if let window = try config.int("sliding_window"), try config.bool("use_sliding_window") ?? (type == "mistral"), window > 0 {
            context = min(context, window)
        }
        var scaling: Llama3Scaling?
        if let rope = try config.object("rope_scaling") {
            let named = try rope.string("rope_type"), legacy = try rope.string("type")
            let kind = named ?? legacy ?? "default"
            switch kind {
            case "default": break
            case "llama3":
                scaling = Llama3Scaling(
                    factor: try rope.double("factor") ?? 8, lowFrequencyFactor: try rope.double("low_freq_factor") ?? 1,
                    highFrequencyFactor: try rope.double("high_freq_factor") ?? 4,
                    originalContext: try rope.double("original_max_position_embeddings") ?? 8192)
            default:
                throw ModelError(.unsupportedModel, "\(config.file): rope_scaling type '\(kind)' is not supported (supported: llama3)")
            }
        }
        let declaredBias = try config.bool("attention_bias") ?? false
        let result = LlamaConfig(
            architecture: type, layers: try config.requiredInt("num_hidden_layers"), width: width,
            hiddenWidth: try config.requiredInt("intermediate_size"), heads: heads,
            kvHeads: try config.int("num_key_value_heads") ?? heads, headSize: headSize,
            vocabularySize: try config.requiredInt("vocab_size"), context: context,
            normEpsilon: Float(try config.double("rms_norm_eps") ?? 1e-6),
            rope: RotaryConfig(theta: try config.double("rope_theta") ?? 10_000,
                               dimensions: Int(Double(headSize) * (try config.double("partial_rotary_factor") ?? 1)),
                               pairing: .halfSplit, llama3Scaling: scaling),
            tiedEmbeddings: try config.bool("tie_word_embeddings") ?? false,
            attentionBias: biased || declaredBias)
        try result.validate()
        return result
    }
}
