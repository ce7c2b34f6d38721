import Foundation
import LightningCore
import LightningModel

/// A job's checkpoints: `<directory>/<job_id>/step-<n>.<ext>`, weights and optimizer state after step
/// `n` (step 0: after the warm-up, before RL): `.ckpt` files for the GPT, `.safetensors` for
/// open-weight models. Files are written atomically, so the newest readable one is always whole; a
/// restarted service resumes from it. The two newest are kept.
public struct JobCheckpoints: Sendable {
    public let directory: URL
    public let fileExtension: String

    public init(root: URL, jobID: String, fileExtension: String = "ckpt") {
        directory = root.appendingPathComponent(jobID, isDirectory: true)
        self.fileExtension = fileExtension
    }

    public func url(step: Int) -> URL {
        directory.appendingPathComponent("step-\(step).\(fileExtension)")
    }

    public func save(_ checkpoint: Checkpoint, step: Int) throws {
        try save(step: step) { try checkpoint.write(to: $0) }
    }

    /// Writes step `step`'s checkpoint with `write` (which must write atomically), then drops old ones.
    public func save(step: Int, _ write: (URL) throws -> Void) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write(url(step: step))
        for old in steps().dropLast(2) { try? FileManager.default.removeItem(at: url(step: old)) }
    }

    /// The newest checkpoint's step and file, or `nil` when the job has none yet.
    public func latestFile() -> (step: Int, url: URL)? {
        steps().last.map { ($0, url(step: $0)) }
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
            let suffix = "." + fileExtension
            guard name.hasPrefix("step-"), name.hasSuffix(suffix) else { return nil }
            return Int(name.dropFirst(5).dropLast(suffix.count))
        }.sorted()
    }
}
