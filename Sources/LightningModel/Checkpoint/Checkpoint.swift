import Foundation

/// Everything needed to resume training or serve a model: weights (with their config), an integer
/// model version and, optionally, the AdamW state (moments, step count, hyperparameters).
///
/// File format (little-endian), version 1:
///
///     "LTNGCKPT"  UInt32 formatVersion  UInt32 headerLength  header (JSON, `Checkpoint.Header`)
///     parameters Float32[count]  [firstMoment Float32[count]  secondMoment Float32[count]]
///     UInt32 CRC-32 of every preceding byte   "LTNGEND!"
///
/// Files are written atomically (temporary file in the same directory, fsync, rename, fsync of the
/// directory), so a crash leaves either the old file or the new one. Reading checks magic, version,
/// exact length and checksum before returning anything; loading back is bit-exact.
public struct Checkpoint: Sendable {
    public let weights: ModelWeights
    public let version: Int
    public let optimizer: OptimizerState?

    /// Adam moments and step count. Sendable because the buffers are never mutated after creation.
    public final class OptimizerState: @unchecked Sendable {
        public let settings: AdamW
        public let step: Int
        let firstMoment: FloatBuffer
        let secondMoment: FloatBuffer

        init(settings: AdamW, step: Int, firstMoment: FloatBuffer, secondMoment: FloatBuffer) {
            self.settings = settings
            self.step = step
            self.firstMoment = firstMoment
            self.secondMoment = secondMoment
        }

        /// Copies of the moment vectors (layout order).
        public var moments: (first: [Float], second: [Float]) { (firstMoment.array, secondMoment.array) }
    }

    /// A weights-only checkpoint (for serving or publishing a version).
    public init(weights: ModelWeights, version: Int) {
        self.init(weights: weights, version: version, optimizer: nil)
    }

    init(weights: ModelWeights, version: Int, optimizer: OptimizerState?) {
        self.weights = weights
        self.version = version
        self.optimizer = optimizer
    }

    static let magic = Array("LTNGCKPT".utf8)
    static let endMagic = Array("LTNGEND!".utf8)
    static let formatVersion: UInt32 = 1

    /// The JSON header.
    struct Header: Codable {
        var config: ModelConfig
        var modelVersion: Int
        var parameterCount: Int
        var hasOptimizerState: Bool
        var optimizerStep: Int
        var optimizer: AdamW?
    }
}

extension TrainingModel {
    /// A checkpoint of the current weights, version and optimizer state (copies).
    public func checkpoint() -> Checkpoint {
        let copy = { (b: FloatBuffer) in FloatBuffer(copying: UnsafeBufferPointer(start: b.pointer, count: b.count)) }
        let state = Checkpoint.OptimizerState(settings: optimizer, step: optimizerStep,
                                              firstMoment: copy(firstMoment), secondMoment: copy(secondMoment))
        return Checkpoint(weights: snapshot(), version: version, optimizer: state)
    }

    /// A model resuming from `checkpoint`: its weights, version and (when saved) optimizer state.
    public convenience init(checkpoint: Checkpoint, threads: Int = ComputeThreads.defaultWorkers) {
        self.init(weights: checkpoint.weights, optimizer: checkpoint.optimizer?.settings ?? AdamW(),
                  version: checkpoint.version, threads: threads)
        if let state = checkpoint.optimizer {
            firstMoment.pointer.update(from: state.firstMoment.pointer, count: layout.count)
            secondMoment.pointer.update(from: state.secondMoment.pointer, count: layout.count)
            optimizerStep = state.step
        }
    }

    /// Writes a checkpoint of the model to `url` atomically.
    public func save(to url: URL) throws(CheckpointError) {
        try checkpoint().write(to: url)
    }

    /// Loads a model from a checkpoint file.
    public convenience init(contentsOf url: URL, threads: Int = ComputeThreads.defaultWorkers) throws(CheckpointError) {
        self.init(checkpoint: try Checkpoint.read(from: url), threads: threads)
    }
}
