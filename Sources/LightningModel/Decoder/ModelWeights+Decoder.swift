extension ModelWeights: DecoderWeights {
    public var contextLength: Int { config.context }
    public var vocabularySize: Int { config.vocabSize }
    public var cacheBytesPerPosition: Int { 2 * config.layers * config.width * 4 }

    public var shapeDescription: String {
        "gpt: \(config.layers) layers, \(config.heads) heads, width \(config.width), context \(config.context), vocabulary \(config.vocabSize)\(config.valueHead ? ", value head" : "")"
    }


    public func makeRunner(_ configuration: RunnerConfiguration) -> any DecoderRunner {
        InferenceRunner(config: config, slots: configuration.slots, maxRows: configuration.maxRows,
                        threads: configuration.threads)
    }
}

extension LlamaWeights: DecoderWeights {
    public var contextLength: Int { config.context }
    public var vocabularySize: Int { config.vocabularySize }
    public var cacheBytesPerPosition: Int { 2 * config.layers * config.kvWidth * 4 }

    public var shapeDescription: String {
        let c = config
        return "\(c.architecture): \(c.layers) layers, width \(c.width), hidden \(c.hiddenWidth), \(c.heads) heads / \(c.kvHeads) key-value heads of \(c.headSize), context \(c.context), vocabulary \(c.vocabularySize)"
    }


    public func makeRunner(_ configuration: RunnerConfiguration) -> any DecoderRunner {
        LlamaRunner(weights: self, configuration: configuration)
    }
}
