/// Low-rank adaptation (LoRA) of a Llama-family model's linear layers: each targeted `W[out, in]` is
/// used as `W + (alpha / rank) · B·A` with `A[rank, in]` and `B[out, rank]` trained and `W` frozen.
/// `A` starts uniform in ±1/√in (PEFT's default Kaiming init), `B` at zero, so training starts at
/// the base model. Dropout, when set, drops inputs of the `A` path only.
public struct LoRAConfiguration: Sendable, Hashable, Codable {
    /// A linear layer of each block, by its Hugging Face module name.
    public enum Target: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case q = "q_proj", k = "k_proj", v = "v_proj", o = "o_proj", gate = "gate_proj", up = "up_proj", down = "down_proj"

        /// Accepts `q`, `q_proj` or `self_attn.q_proj` (PEFT's spellings).
        public init?(name: String) {
            let short = name.split(separator: ".").last.map(String.init) ?? name
            if let target = Target(rawValue: short) { self = target } else if let target = Target(rawValue: short + "_proj") {
                self = target
            } else {
                return nil
            }
        }

        /// The module path inside a block (`self_attn.q_proj`, `mlp.down_proj`).
        public var modulePath: String {
            switch self {
            case .q, .k, .v, .o: "self_attn." + rawValue
            case .gate, .up, .down: "mlp." + rawValue
            }
        }

        public static func < (a: Target, b: Target) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    public var rank: Int
    public var alpha: Double
    public var dropout: Double
    public var targets: [Target]

    public init(rank: Int = 16, alpha: Double = 32, dropout: Double = 0, targets: [Target] = Target.allCases) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = Array(Set(targets)).sorted()
    }

    public var scale: Float { Float(alpha / Double(rank)) }

    /// Throws when the adapter cannot be built on `config`: the reason names the offending value.
    public func validate(for config: LlamaConfig) throws(ModelError) {
        guard !targets.isEmpty else { throw ModelError(.invalidConfig, "LoRA needs at least one target module") }
        guard rank > 0 else { throw ModelError(.invalidConfig, "the LoRA rank must be positive, got \(rank)") }
        guard alpha > 0, alpha.isFinite else { throw ModelError(.invalidConfig, "the LoRA alpha must be positive, got \(alpha)") }
        guard dropout >= 0, dropout < 1 else { throw ModelError(.invalidConfig, "the LoRA dropout must be in [0, 1), got \(dropout)") }
        for target in targets {
            let (out, inFeatures) = target.shape(config)
            guard rank <= min(out, inFeatures) else {
                throw ModelError(.invalidConfig, "LoRA rank \(rank) is larger than \(target.rawValue) (\(out)×\(inFeatures)) allows")
            }
        }
    }
}

extension LoRAConfiguration.Target {
    /// `(out, in)` of this layer in `config`.
    public func shape(_ config: LlamaConfig) -> (out: Int, in: Int) {
        switch self {
        case .q: (config.queryWidth, config.width)
        case .k, .v: (config.kvWidth, config.width)
        case .o: (config.width, config.queryWidth)
        case .gate, .up: (config.hiddenWidth, config.width)
        case .down: (config.width, config.hiddenWidth)
        }
    }

    /// Where this layer's outputs start in its fused projection (`[q | k | v]`, `[gate | up]`).
    func outputOffset(_ config: LlamaConfig) -> Int {
        switch self {
        case .k: config.queryWidth
        case .v: config.queryWidth + config.kvWidth
        case .up: config.hiddenWidth
        case .q, .o, .gate, .down: 0
        }
    }
}

/// Where each adapter matrix lives in the flat buffer of trained values, named as PEFT saves them.
public struct LoRALayout: Sendable, Hashable {
    /// One adapted layer: `A[rank, in]`, then `B[out, rank]`.
    public struct Adapter: Sendable, Hashable {
        public let layer: Int
        public let target: LoRAConfiguration.Target
        public let a: Int
        public let b: Int
        public let outFeatures: Int
        public let inFeatures: Int
    }

    public let configuration: LoRAConfiguration
    /// `adapters[layer]` lists that block's adapters in target order.
    public let adapters: [[Adapter]]
    public let tensors: [LlamaParameterLayout.Tensor]
    public let count: Int

    public init(_ configuration: LoRAConfiguration, model config: LlamaConfig) {
        self.configuration = configuration
        let r = configuration.rank
        var tensors: [LlamaParameterLayout.Tensor] = [], offset = 0
        adapters = (0..<config.layers).map { l in
            configuration.targets.map { target in
                let (out, inFeatures) = target.shape(config)
                let name = "base_model.model.model.layers.\(l).\(target.modulePath)"
                let a = offset
                tensors.append(.init(name: name + ".lora_A.weight", shape: [r, inFeatures], offset: a, decays: true))
                let b = a + r * inFeatures
                tensors.append(.init(name: name + ".lora_B.weight", shape: [out, r], offset: b, decays: true))
                offset = b + out * r
                return Adapter(layer: l, target: target, a: a, b: b, outFeatures: out, inFeatures: inFeatures)
            }
        }
        self.tensors = tensors
        count = offset
    }

    func adapter(_ layer: Int, _ target: LoRAConfiguration.Target) -> Adapter? {
        adapters[layer].first { $0.target == target }
    }
}
