import Foundation
import LightningModel

/// The weights a model host starts with: a checkpoint file, or a freshly initialised model of a named size.
public struct ServedModel: Sendable {
    public let weights: ModelWeights
    public let version: Int
    /// Where the weights came from, for logs (`checkpoint <path>` or `fresh S, seed 0`).
    public let origin: String

    /// Reads and verifies `checkpoint` when given (a corrupt, truncated or unreadable file is refused
    /// with the reason), else initialises a model of `size` (`S` or `M`) from `seed` as version 0.
    public static func load(checkpoint: String?, size: String, seed: Int) throws(ServeError) -> ServedModel {
        if let path = checkpoint {
            do {
                let loaded = try Checkpoint.read(from: URL(fileURLWithPath: path))
                return ServedModel(weights: loaded.weights, version: loaded.version, origin: "checkpoint \(path)")
            } catch {
                throw ServeError(code: "checkpoint_\(error.code.rawValue)", "refusing to serve \(path): \(error.message)")
            }
        }
        guard let config = ModelConfig.named(size) else {
            throw ServeError(code: "invalid_size", "the model size must be S or M, got '\(size)'")
        }
        do {
            let weights = try ModelWeights(config: config, seed: UInt64(bitPattern: Int64(seed)))
            return ServedModel(weights: weights, version: 0, origin: "fresh \(size.uppercased()), seed \(seed)")
        } catch {
            throw ServeError(code: "invalid_size", error.message)
        }
    }
}

/// Why the model host cannot start: a stable `code` and a message that says what to fix.
public struct ServeError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
