/// Where each tensor lives in the flat parameter buffer (and, identically, the gradient and Adam
/// buffers). Order and shapes match `Tools/reference/gpt_reference.py`; there is no padding.
///
/// Matrices are row-major `[in, out]`, so a linear layer is `Y[N, out] = X[N, in] · W`.
/// `qkv` columns hold all query heads, then all key heads, then all value heads.
public struct ParameterLayout: Sendable, Hashable {
    /// Offsets of one transformer block's tensors.
    public struct Block: Sendable, Hashable {
        public let ln1Gain, ln1Bias, qkvWeight, qkvBias, projWeight, projBias: Int
        public let ln2Gain, ln2Bias, fcWeight, fcBias, fcProjWeight, fcProjBias: Int
    }

    /// A named tensor: offset and element count in the flat buffer.
    public struct Tensor: Sendable, Hashable {
        public let name: String
        public let offset: Int
        public let count: Int
        /// Whether AdamW applies weight decay to it (block matrices and the value head weight only).
        public let decays: Bool
    }

    public let tokenEmbedding: Int
    public let positionEmbedding: Int
    public let blocks: [Block]
    public let finalGain: Int
    public let finalBias: Int
    /// Offsets of the value head weight `[width]` and bias `[1]`, when the config has one.
    public let valueWeight: Int?
    public let valueBias: Int?
    /// Every tensor in buffer order.
    public let tensors: [Tensor]
    /// Total number of floats.
    public let count: Int

    public init(_ config: ModelConfig) {
        let c = config.width
        var tensors: [Tensor] = []
        var offset = 0
        func add(_ name: String, _ count: Int, decays: Bool = false) -> Int {
            tensors.append(Tensor(name: name, offset: offset, count: count, decays: decays))
            defer { offset += count }
            return offset
        }
        tokenEmbedding = add("wte", config.vocabSize * c)
        positionEmbedding = add("wpe", config.context * c)
        var blocks: [Block] = []
        for l in 0..<config.layers {
            let p = "h\(l)."
            blocks.append(Block(
                ln1Gain: add(p + "ln1.g", c), ln1Bias: add(p + "ln1.b", c),
                qkvWeight: add(p + "attn.qkv.w", c * 3 * c, decays: true), qkvBias: add(p + "attn.qkv.b", 3 * c),
                projWeight: add(p + "attn.proj.w", c * c, decays: true), projBias: add(p + "attn.proj.b", c),
                ln2Gain: add(p + "ln2.g", c), ln2Bias: add(p + "ln2.b", c),
                fcWeight: add(p + "mlp.fc.w", c * 4 * c, decays: true), fcBias: add(p + "mlp.fc.b", 4 * c),
                fcProjWeight: add(p + "mlp.proj.w", 4 * c * c, decays: true), fcProjBias: add(p + "mlp.proj.b", c)
            ))
        }
        self.blocks = blocks
        finalGain = add("lnf.g", c)
        finalBias = add("lnf.b", c)
        if config.valueHead {
            valueWeight = add("value.w", c, decays: true)
            valueBias = add("value.b", 1)
        } else {
            valueWeight = nil
            valueBias = nil
        }
        self.tensors = tensors
        count = offset
    }
}
