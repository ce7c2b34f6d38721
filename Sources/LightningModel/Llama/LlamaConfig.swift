/// The shape of a Llama-family decoder (Llama 2/3, SmolLM, Mistral, Qwen2): RMSNorm, rotary position
/// embeddings, SwiGLU MLP, grouped-query attention, optional Q/K/V biases, tied or separate output
/// embedding. It is always read from the model file's own metadata (`LlamaConfig+GGUF`,
/// `LlamaConfig+HuggingFace`), never looked up by model name.
public struct LlamaConfig: Sendable, Hashable, Codable {
    /// The architecture name as the file gives it (`llama`, `qwen2`, …), for logs and errors.
    public var architecture: String
    public var layers: Int
    /// Width of the residual stream.
    public var width: Int
    /// Width of the SwiGLU hidden layer.
    public var hiddenWidth: Int
    public var heads: Int
    /// Key/value heads (fewer than `heads` for grouped-query attention).
    public var kvHeads: Int
    public var headSize: Int
    public var vocabularySize: Int
    /// Positions a sequence may hold.
    public var context: Int
    public var normEpsilon: Float
    public var rope: RotaryConfig
    /// Whether the output projection is the token embedding.
    public var tiedEmbeddings: Bool
    /// Whether the query, key and value projections have biases (Qwen2).
    public var attentionBias: Bool

    public init(
        architecture: String, layers: Int, width: Int, hiddenWidth: Int, heads: Int, kvHeads: Int, headSize: Int,
        vocabularySize: Int, context: Int, normEpsilon: Float, rope: RotaryConfig, tiedEmbeddings: Bool,
        attentionBias: Bool
    ) {
        self.architecture = architecture
        self.layers = layers
        self.width = width
        self.hiddenWidth = hiddenWidth
        self.heads = heads
        self.kvHeads = kvHeads
        self.headSize = headSize
        self.vocabularySize = vocabularySize
        self.context = context
        self.normEpsilon = normEpsilon
        self.rope = rope
        self.tiedEmbeddings = tiedEmbeddings
        self.attentionBias = attentionBias
    }

    /// Width of all query heads together.
    public var queryWidth: Int { heads * headSize }
    /// Width of all key (or value) heads together.
    public var kvWidth: Int { kvHeads * headSize }
    /// Query heads per key/value head.
    public var groupSize: Int { heads / kvHeads }

    /// Throws when the shape cannot be run: a message naming the offending value.
    public func validate() throws(ModelError) {
        let sizes = [("layers", layers), ("width", width), ("hidden width", hiddenWidth), ("heads", heads),
                     ("key/value heads", kvHeads), ("head size", headSize), ("vocabulary size", vocabularySize),
                     ("context", context)]
        for (name, value) in sizes where value <= 0 {
            throw ModelError(.invalidConfig, "\(architecture) model: \(name) must be positive, got \(value)")
        }
        guard heads % kvHeads == 0 else {
            throw ModelError(.invalidConfig, "\(architecture) model: \(heads) query heads are not a multiple of \(kvHeads) key/value heads")
        }
        guard headSize % 2 == 0 else {
            throw ModelError(.invalidConfig, "\(architecture) model: the head size \(headSize) must be even for rotary embeddings")
        }
        guard rope.dimensions > 0, rope.dimensions <= headSize, rope.dimensions % 2 == 0 else {
            throw ModelError(.invalidConfig, "\(architecture) model: \(rope.dimensions) rotary dimensions do not fit heads of \(headSize)")
        }
        guard normEpsilon > 0, normEpsilon.isFinite, rope.theta > 0, rope.theta.isFinite else {
            throw ModelError(.invalidConfig, "\(architecture) model: the norm epsilon and rope theta must be positive")
        }
    }

    /// Parameters of the dense model (for logs and memory estimates).
    public var parameterCount: Int {
        let attention = width * (queryWidth + 2 * kvWidth) + queryWidth * width + (attentionBias ? queryWidth + 2 * kvWidth : 0)
        let block = attention + 3 * width * hiddenWidth + 2 * width
        return vocabularySize * width * (tiedEmbeddings ? 1 : 2) + layers * block + width
    }
}

/// Rotary position embeddings: frequency `θ^(−2i/d)` for pair `i` of the first `dimensions` of each head,
/// optionally rescaled (Llama 3's `rope_scaling`) or divided by per-pair factors (GGUF's `rope_freqs`).
public struct RotaryConfig: Sendable, Hashable, Codable {
    /// Which elements of a head rotate together.
    public enum Pairing: String, Sendable, Hashable, Codable {
        /// Element `i` with `i + d/2` (Hugging Face weights, GGUF `qwen2`, llama.cpp's NEOX mode).
        case halfSplit
        /// Element `2i` with `2i + 1` (GGUF `llama` files, whose Q/K rows llama.cpp's converter permuted).
        case adjacent
    }

    public var theta: Double
    /// Rotated elements per head (usually the head size).
    public var dimensions: Int
    public var pairing: Pairing
    /// Llama 3 frequency scaling, if any.
    public var llama3Scaling: Llama3Scaling?

    public init(theta: Double, dimensions: Int, pairing: Pairing, llama3Scaling: Llama3Scaling? = nil) {
        self.theta = theta
        self.dimensions = dimensions
        self.pairing = pairing
        self.llama3Scaling = llama3Scaling
    }
}

/// Llama 3.1's `rope_scaling` (`rope_type: llama3`): long wavelengths are divided by `factor`, short ones
/// kept, those between interpolated.
public struct Llama3Scaling: Sendable, Hashable, Codable {
    public var factor: Double
    public var lowFrequencyFactor: Double
    public var highFrequencyFactor: Double
    public var originalContext: Double

    public init(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalContext: Double) {
        self.factor = factor
        self.lowFrequencyFactor = lowFrequencyFactor
        self.highFrequencyFactor = highFrequencyFactor
        self.originalContext = originalContext
    }

    /// The scaled inverse frequency (as Hugging Face's `_compute_llama3_parameters`).
    func scale(_ frequency: Double) -> Double {
        let lowWavelength = originalContext / lowFrequencyFactor
        let highWavelength = originalContext / highFrequencyFactor
        let wavelength = 2 * Double.pi / frequency
        if wavelength < highWavelength { return frequency }
        if wavelength > lowWavelength { return frequency / factor }
        let smooth = (originalContext / wavelength - lowFrequencyFactor) / (highFrequencyFactor - lowFrequencyFactor)
        return (1 - smooth) * frequency / factor + smooth * frequency
    }
}
