import Foundation
import LightningCore
import LightningModel

/// A job's checkpoints: `<directory>/<job_id>/step-<n>.ckpt`, weights and optimizer state after step
/// `n` (step 0: after the warm-up, before RL). Files are written atomically, so the newest readable one
/// is always whole; a restarted service resumes from it. The two newest are kept.
public struct JobCheckpoints: Sendable {
    public let directory: URL

    public init(root: URL, jobID: String) {
        directory = root.appendingPathComponent(jobID, isDirectory: true)
    }

    public func url(step: Int) -> URL {
        directory.appendingPathComponent("step-\(step).ckpt")
    }

    public func save(_ checkpoint: Checkpoint, step: Int) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try checkpoint.write(to: url(step: step))
        for old in steps().dropLast(2) { try? FileManager.default.removeItem(at: url(step: old)) }
    }

    /// The newest checkpoint and its step, or `nil` when the job has none yet. A damaged newest file
    /// (which atomic writes make unlikely) is reported, not skipped: resuming from an older step
    /// would repeat steps whose metrics are already recorded.
    public func latest() throws -> (step: Int, checkpoint: Checkpoint)? {
        guard let step = steps().last else { return nil }
        do {
            return (step, try Checkpoint.read(from: url(step: step)))
        } catch {
            throw LightningError(.internal, "cannot resume from \(url(step: step).path): \(error)")
        }
    }

    /// Steps with a checkpoint file, in order.
    func steps() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("step-"), name.hasSuffix(".ckpt") else { return nil }
            return Int(name.dropFirst(5).dropLast(5))
        }.sorted()
    }
}
