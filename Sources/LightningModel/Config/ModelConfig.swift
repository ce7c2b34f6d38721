/// The shape of a GPT-2-style decoder: learned positions, pre-LayerNorm blocks, GELU (tanh
/// approximation), tied input/output embeddings, a final LayerNorm, an optional scalar value head.
public struct ModelConfig: Codable, Sendable, Hashable {
    /// Number of transformer blocks.
    public var layers: Int
    /// Attention heads per block; `width` must be a multiple of it.
    public var heads: Int
    /// Width of the residual stream (embedding size).
    public var width: Int
    /// Maximum sequence length (number of learned positions).
    public var context: Int
    /// Vocabulary size; defaults to the byte tokenizer's.
    public var vocabSize: Int
    /// Whether the model has a scalar value head on the final hidden state (for PPO).
    public var valueHead: Bool

    public init(
        layers: Int, heads: Int, width: Int, context: Int,
        vocabSize: Int = ByteTokenizer.vocabularySize, valueHead: Bool = false
    ) {
        self.layers = layers
        self.heads = heads
        self.width = width
        self.context = context
        self.vocabSize = vocabSize
        self.valueHead = valueHead
    }

    /// `S`: 4 layers, 4 heads, width 128, context 128 (about 0.85M parameters with embeddings).
    public static let small = ModelConfig(layers: 4, heads: 4, width: 128, context: 128)
    /// `M`: 6 layers, 6 heads, width 384, context 256 (about 11M parameters).
    public static let medium = ModelConfig(layers: 6, heads: 6, width: 384, context: 256)

    /// The named sizes `S` and `M` (case-insensitive), or nil.
    public static func named(_ name: String) -> ModelConfig? {
        switch name.uppercased() {
        case "S": .small
        case "M": .medium
        default: nil
        }
    }

    /// Width of one attention head.
    public var headSize: Int { width / heads }

    /// Total number of parameters (all tensors of `ParameterLayout`).
    public var parameterCount: Int { ParameterLayout(self).count }

    /// Throws when the shape cannot be built (non-positive sizes, width not divisible by heads).
    public func validate() throws(ModelError) {
        guard layers > 0, heads > 0, width > 0, context > 0, vocabSize > 0 else {
            throw ModelError(.invalidConfig, "every size must be positive: \(self)")
        }
        guard width % heads == 0 else {
            throw ModelError(.invalidConfig, "width \(width) is not a multiple of heads \(heads)")
        }
    }
}
