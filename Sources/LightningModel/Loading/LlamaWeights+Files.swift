import Foundation
import LightningFormats

extension LlamaWeights {
    /// The weights of a GGUF file of a supported architecture, configured from its metadata.
    /// Quantized matrices stay in their blocks (see `PackedMatrix`); GGUF `llama` files' permuted
    /// query/key rows are put back in Hugging Face order (`adjacentRotation` keeps them and rotates
    /// adjacent pairs instead, as llama.cpp does: the same model, for tests of both layouts).
    public static func load(gguf file: GGUFFile, adjacentRotation: Bool = false) throws(ModelError) -> LlamaWeights {
        let metadata = ModelMetadata(gguf: file)
        let names = LlamaTensorNames.gguf
        guard let embedding = file.tensorInfo(named: names.tokenEmbedding) else {
            throw ModelError(.invalidTensor, "\(file.path): the model file has no tensor \(names.tokenEmbedding)")
        }
        var config = try LlamaConfig.gguf(
            metadata, vocabularySize: embedding.shape.first ?? 0,
            hasBiases: file.containsTensor(named: names.block(0, .queryBias)),
            hasOutput: file.containsTensor(named: names.output))
        let permuted = LlamaConfig.ggufArchitectures[config.architecture] ?? false
        if permuted && adjacentRotation { config.rope.pairing = .adjacent }
        return try load(config: config, names: names, tensors: lookup(file),
                        undoRotaryPermutation: permuted && !adjacentRotation)
    }

    /// The weights of a Hugging Face model folder (`config.json` and safetensors).
    public static func load(huggingFace folder: HuggingFaceFolder) throws(ModelError) -> LlamaWeights {
        let metadata = ModelMetadata(file: "\(folder.path)/config.json") { folder.config[$0]?.anyValue }
        var config = try LlamaConfig.huggingFace(metadata)
        // Folders that say nothing of tying but carry no lm_head tie it (SmolLM2's omits the key).
        if !config.tiedEmbeddings && !folder.containsTensor(named: LlamaTensorNames.huggingFace.output) {
            config.tiedEmbeddings = true
        }
        return try load(config: config, names: .huggingFace, tensors: lookup(folder), undoRotaryPermutation: false)
    }

    /// Tensors of a file as `StoredTensor`s: blocks of the formats `PackedMatrix` keeps, floats otherwise.
    static func lookup(_ source: any TensorSource) -> TensorLookup {
        { name in
            guard source.containsTensor(named: name) else { return nil }
            let view = try source.tensor(named: name)
            let format = QuantizedFormat(view.type)
            return StoredTensor(name: "\(view.file): \(name)", shape: view.shape,
                                blocks: format.flatMap { f in view.bytes.baseAddress.map { (f, $0) } },
                                floats: { try view.floats() }, copied: { view.dropResidentPages() })
        }
    }
}

extension ModelMetadata {
    /// The metadata of a GGUF file.
    init(gguf file: GGUFFile) {
        self.init(file: file.path) { file.metadata[$0]?.anyValue }
    }
}

extension GGUFValue {
    /// The value as `Int`, `Double`, `Bool`, `String` or an array of those.
    var anyValue: Any {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        case .bool(let v): v
        case .string(let v): v
        case .array(_, let values): values.map(\.anyValue)
        default: int ?? 0
        }
    }
}

extension JSONValue {
    /// The value as `Int`, `Double`, `Bool`, `String`, an array or a `[String: Any]` dictionary.
    var anyValue: Any? {
        switch self {
        case .null: nil
        case .bool(let v): v
        case .int(let v): v
        case .double(let v): v
        case .string(let v): v
        case .array(let v): v.map { $0.anyValue as Any }
        case .object(let v): v.compactMapValues(\.anyValue)
        }
    }
}

extension QuantizedFormat {
    /// The block format of a GGUF tensor type, nil for the types loaded as floats.
    init?(_ type: TensorType) {
        switch type {
        case .q4_0: self = .q4_0
        case .q4_1: self = .q4_1
        case .q5_0: self = .q5_0
        case .q5_1: self = .q5_1
        case .q8_0: self = .q8_0
        case .q4_K: self = .q4_K
        case .q5_K: self = .q5_K
        case .q6_K: self = .q6_K
        default: return nil
        }
    }
}
