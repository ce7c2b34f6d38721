/// An immutable set of model parameters in one flat buffer (layout: `ParameterLayout`).
///
/// Serving and training exchange weights through this type: a trainer takes a `snapshot()`, the
/// generation engine `load`s it. Sendable because the buffer is written only inside the initializers,
/// before the instance can be shared, and never mutated afterwards.
public final class ModelWeights: @unchecked Sendable {
    public let config: ModelConfig
    public let layout: ParameterLayout
    let storage: FloatBuffer

    /// Weights with the given values (`config.parameterCount` floats in layout order).
    public convenience init(config: ModelConfig, values: [Float]) throws(ModelError) {
        try config.validate()
        let layout = ParameterLayout(config)
        guard values.count == layout.count else {
            throw ModelError(.invalidInput, "expected \(layout.count) parameter values, got \(values.count)")
        }
        let storage = values.withUnsafeBufferPointer { FloatBuffer(copying: $0) }
        self.init(config: config, layout: layout, storage: storage)
    }

    /// GPT-2-style random initialization, repeatable from `seed`: normal(0, 0.02) for embeddings and
    /// matrices, 0.02/√(2·layers) for the two residual projections of each block, zero biases, unit
    /// LayerNorm gains, a zero value head.
    public convenience init(config: ModelConfig, seed: UInt64) throws(ModelError) {
        try config.validate()
        let layout = ParameterLayout(config)
        let storage = FloatBuffer(count: layout.count)
        var rng = SeededGenerator(seed: seed)
        let residualStd = 0.02 / (2 * Double(config.layers)).squareRoot()
        for tensor in layout.tensors {
            let p = storage.pointer + tensor.offset
            if tensor.name.hasSuffix(".g") {
                p.update(repeating: 1, count: tensor.count)
            } else if tensor.name.hasSuffix(".b") || tensor.name == "value.w" {
                continue
            } else {
                let std = tensor.name.hasSuffix("proj.w") ? residualStd : 0.02
                for i in 0..<tensor.count { p[i] = Float(rng.nextNormal() * std) }
            }
        }
        self.init(config: config, layout: layout, storage: storage)
    }

    init(config: ModelConfig, layout: ParameterLayout, storage: FloatBuffer) {
        self.config = config
        self.layout = layout
        self.storage = storage
    }

    /// A copy of all parameter values in layout order.
    public var values: [Float] { storage.array }

    /// A copy of one named tensor (names as in `ParameterLayout.tensors`), or nil.
    public func tensor(named name: String) -> [Float]? {
        guard let t = layout.tensors.first(where: { $0.name == name }) else { return nil }
        return Array(UnsafeBufferPointer(start: storage.pointer + t.offset, count: t.count))
    }

    var pointer: UnsafePointer<Float> { UnsafePointer(storage.pointer) }
}

extension ModelWeights {
    /// These weights with a scalar value head added (zero, so every value starts at 0) for PPO; the
    /// same weights when they have one. The value head comes last in the layout, so the rest is copied as is.
    public func withValueHead() throws(ModelError) -> ModelWeights {
        guard !config.valueHead else { return self }
        var extended = config
        extended.valueHead = true
        return try ModelWeights(config: extended, values: values + [Float](repeating: 0, count: config.width + 1))
    }
}

extension ModelWeights {
    /// These weights without their value head, for serving (generation never reads it).
    public func withoutValueHead() throws(ModelError) -> ModelWeights {
        guard config.valueHead else { return self }
        var plain = config
        plain.valueHead = false
        return try ModelWeights(config: plain, values: Array(values.dropLast(config.width + 1)))
    }
}
