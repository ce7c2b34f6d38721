/// Where each tensor of a Llama-family model lives in one flat float buffer (and, identically, its
/// gradient and Adam buffers) for training. Matrices are `[out, in]` row-major as Hugging Face stores
/// them (`Y = X · Wᵀ`), named with Hugging Face's tensor names so that exports need no table.
///
/// The query, key and value matrices of a block lie one after another, so together they are the fused
/// `[q | k | v]` projection the runner multiplies at once; so are the gate and up matrices.
public struct LlamaParameterLayout: Sendable, Hashable {
    /// Offsets of one block's tensors.
    public struct Block: Sendable, Hashable {
        public let attentionNorm: Int
        /// `[(heads + 2·kvHeads)·headSize, width]`: `q_proj`, `k_proj`, `v_proj` stacked.
        public let qkv: Int
        /// `[(heads + 2·kvHeads)·headSize]` when the model has attention biases.
        public let qkvBias: Int?
        /// `[width, heads·headSize]`.
        public let attentionOutput: Int
        public let mlpNorm: Int
        /// `[2·hiddenWidth, width]`: `gate_proj`, `up_proj` stacked.
        public let gateUp: Int
        /// `[width, hiddenWidth]`.
        public let down: Int
    }

    /// A named tensor: its shape (outer first), offset and whether AdamW decays it (the block matrices;
    /// not the embeddings, norms or biases).
    public struct Tensor: Sendable, Hashable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public let decays: Bool
        public var count: Int { shape.reduce(1, *) }
    }

    public let config: LlamaConfig
    /// `[vocabulary, width]`.
    public let tokenEmbedding: Int
    public let blocks: [Block]
    public let finalNorm: Int
    /// `[vocabulary, width]`: the token embedding when the model ties them.
    public let output: Int
    /// Every tensor in buffer order.
    public let tensors: [Tensor]
    public let count: Int

    public init(_ config: LlamaConfig) {
        let c = config.width, f = config.hiddenWidth, q = config.queryWidth, kv = config.kvWidth
        var tensors: [Tensor] = []
        var offset = 0
        func add(_ name: String, _ shape: [Int], decays: Bool = false) -> Int {
            tensors.append(Tensor(name: name, shape: shape, offset: offset, decays: decays))
            defer { offset += shape.reduce(1, *) }
            return offset
        }
        tokenEmbedding = add("model.embed_tokens.weight", [config.vocabularySize, c])
        blocks = (0..<config.layers).map { l in
            let p = "model.layers.\(l)."
            let attentionNorm = add(p + "input_layernorm.weight", [c])
            let qkv = add(p + "self_attn.q_proj.weight", [q, c], decays: true)
            _ = add(p + "self_attn.k_proj.weight", [kv, c], decays: true)
            _ = add(p + "self_attn.v_proj.weight", [kv, c], decays: true)
            var qkvBias: Int?
            if config.attentionBias {
                qkvBias = add(p + "self_attn.q_proj.bias", [q])
                _ = add(p + "self_attn.k_proj.bias", [kv])
                _ = add(p + "self_attn.v_proj.bias", [kv])
            }
            let attentionOutput = add(p + "self_attn.o_proj.weight", [c, q], decays: true)
            let mlpNorm = add(p + "post_attention_layernorm.weight", [c])
            let gateUp = add(p + "mlp.gate_proj.weight", [f, c], decays: true)
            _ = add(p + "mlp.up_proj.weight", [f, c], decays: true)
            let down = add(p + "mlp.down_proj.weight", [c, f], decays: true)
            return Block(attentionNorm: attentionNorm, qkv: qkv, qkvBias: qkvBias, attentionOutput: attentionOutput,
                         mlpNorm: mlpNorm, gateUp: gateUp, down: down)
        }
        finalNorm = add("model.norm.weight", [c])
        output = config.tiedEmbeddings ? tokenEmbedding : add("lm_head.weight", [config.vocabularySize, c])
        self.config = config
        self.tensors = tensors
        count = offset
    }

    /// The tensor named `name`, if the layout has it.
    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name } }
}
