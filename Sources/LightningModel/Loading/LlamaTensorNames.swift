/// What Llama-family tensors are called in each file format.
struct LlamaTensorNames: Sendable {
    let tokenEmbedding: String
    let finalNorm: String
    let output: String
    let ropeFrequencies: String?
    let block: @Sendable (Int, BlockTensor) -> String

    enum BlockTensor: CaseIterable {
        case attentionNorm, query, key, value, queryBias, keyBias, valueBias, attentionOutput
        case mlpNorm, gate, up, down
    }

    /// llama.cpp's names in GGUF files.
    static let gguf = LlamaTensorNames(
        tokenEmbedding: "token_embd.weight", finalNorm: "output_norm.weight", output: "output.weight",
        ropeFrequencies: "rope_freqs.weight"
    ) { layer, tensor in
        let name = switch tensor {
        case .attentionNorm: "attn_norm.weight"
        case .query: "attn_q.weight"
        case .key: "attn_k.weight"
        case .value: "attn_v.weight"
        case .queryBias: "attn_q.bias"
        case .keyBias: "attn_k.bias"
        case .valueBias: "attn_v.bias"
        case .attentionOutput: "attn_output.weight"
        case .mlpNorm: "ffn_norm.weight"
        case .gate: "ffn_gate.weight"
        case .up: "ffn_up.weight"
        case .down: "ffn_down.weight"
        }
        return "blk.\(layer).\(name)"
    }

    /// Hugging Face transformers' names in safetensors files.
    static let huggingFace = LlamaTensorNames(
        tokenEmbedding: "model.embed_tokens.weight", finalNorm: "model.norm.weight", output: "lm_head.weight",
        ropeFrequencies: nil
    ) { layer, tensor in
        let name = switch tensor {
        case .attentionNorm: "input_layernorm.weight"
        case .query: "self_attn.q_proj.weight"
        case .key: "self_attn.k_proj.weight"
        case .value: "self_attn.v_proj.weight"
        case .queryBias: "self_attn.q_proj.bias"
        case .keyBias: "self_attn.k_proj.bias"
        case .valueBias: "self_attn.v_proj.bias"
        case .attentionOutput: "self_attn.o_proj.weight"
        case .mlpNorm: "post_attention_layernorm.weight"
        case .gate: "mlp.gate_proj.weight"
        case .up: "mlp.up_proj.weight"
        case .down: "mlp.down_proj.weight"
        }
        return "model.layers.\(layer).\(name)"
    }
}
