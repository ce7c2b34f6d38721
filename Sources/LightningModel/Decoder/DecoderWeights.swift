/// The weights of a decoder-only language model, as the generation engine sees them: the sizes it
/// needs to validate requests, and a runner that evaluates the model step by step with a KV cache.
///
/// The GPT (`ModelWeights`) and the Llama family (`LlamaWeights`) conform; the engine, the model host
/// and the recorder only ever talk to this protocol. Conforming types are immutable, so one instance
/// serves every request bound to it while the engine swaps in newer weights for new requests.
public protocol DecoderWeights: AnyObject, Sendable {
    /// Positions a sequence may hold (prompt and generated tokens together).
    var contextLength: Int { get }
    var vocabularySize: Int { get }
    /// Bytes of KV cache one position of one sequence needs (to size the cache).
    var cacheBytesPerPosition: Int { get }
    /// The architecture and every size a runner depends on ("llama: 30 layers, width 576, …"): weights
    /// of the same type and description run on the same runner (a new version of trained weights).
    var shapeDescription: String { get }
    /// A runner for weights of this shape.
    func makeRunner(_ configuration: RunnerConfiguration) -> any DecoderRunner
}

/// Sizes of a runner's buffers and cache.
public struct RunnerConfiguration: Sendable, Hashable {
    /// Sequences held in the cache at once.
    public var slots: Int
    /// Token rows one step may process (decode rows plus prefill chunks).
    public var maxRows: Int
    /// Worker threads (including the calling one).
    public var threads: Int
    /// Positions the cache holds over all slots (runners with a fixed context per slot ignore it).
    public var cachePositions: Int

    public init(slots: Int, maxRows: Int, threads: Int, cachePositions: Int) {
        self.slots = slots
        self.maxRows = maxRows
        self.threads = threads
        self.cachePositions = cachePositions
    }
}

/// New tokens for one cache slot, at positions `start..<start + tokens.count`. The token memory belongs
/// to the caller and stays valid during `run`.
public struct DecoderChunk {
    public var slot: Int
    public var start: Int
    public var tokens: UnsafeBufferPointer<Int32>

    public init(slot: Int, start: Int, tokens: UnsafeBufferPointer<Int32>) {
        self.slot = slot
        self.start = start
        self.tokens = tokens
    }
}

/// Evaluates a model for the generation engine (one thread at a time): appends chunks to cache slots
/// and writes logits. Cache capacity is managed by slot: a slot must hold the positions a chunk writes.
public protocol DecoderRunner: AnyObject {
    /// Logits of the rows the last `run` returned, `vocabularySize` floats each.
    var logits: UnsafeMutablePointer<Float> { get }
    /// Runs `chunks` (distinct slots, reserved for their positions) with `weights` (of the runner's
    /// shape) and returns the number of logit rows: the last row of each chunk, or every row.
    func run(weights: any DecoderWeights, chunks: [DecoderChunk], allRows: Bool) -> Int
    /// Makes `slot` hold `positions` positions; false, with nothing changed, when the cache is full.
    func reserve(slot: Int, positions: Int) -> Bool
    /// Whether `slots` new slots of `positions` positions each would fit now.
    func canReserve(positions: Int, slots: Int) -> Bool
    /// Frees the cache of `slot`.
    func release(slot: Int)
    /// Copies the first `positions` cached positions of one slot to another (reserved) one.
    func copy(from source: Int, to destination: Int, positions: Int)
}
