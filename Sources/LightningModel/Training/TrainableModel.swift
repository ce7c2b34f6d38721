/// What a policy trainer needs from a model: per-token log-probabilities and entropies of a batch,
/// gradients of a loss over them, clipping and an optimizer step. The GPT (`TrainingModel`) and the
/// Llama family (`LlamaTrainingModel`) both provide it, so one trainer serves both.
public protocol TrainableModel: AnyObject {
    /// Positions a sequence may hold.
    var context: Int { get }
    var vocabularySize: Int { get }
    /// Whether `forward` returns values (PPO's critic).
    var hasValueHead: Bool { get }
    /// A caller-managed model version, saved in checkpoints.
    var version: Int { get set }
    func forward(_ batch: TokenBatch, temperature: Float) throws(ModelError) -> ForwardResult
    func backward(_ gradients: OutputGradients) throws(ModelError)
    func zeroGradients()
    @discardableResult func clipGradients(maxNorm: Float) -> Float
    func step(learningRate: Float)
}

extension TrainingModel: TrainableModel {
    public var context: Int { config.context }
    public var vocabularySize: Int { config.vocabSize }
    public var hasValueHead: Bool { config.valueHead }
}

extension LlamaTrainingModel: TrainableModel {
    public var context: Int { config.context }
    public var vocabularySize: Int { config.vocabularySize }
    public var hasValueHead: Bool { false }
}
