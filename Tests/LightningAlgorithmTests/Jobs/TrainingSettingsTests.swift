import Foundation
import LightningAlgorithm
import LightningCore
import LightningModel
import Testing

@Suite struct TrainingSettingsTests {
    @Test("an empty config gives the documented defaults; given keys override them")
    func defaults() throws {
        let plain = try TrainingSettings.parse(.emptyObject)
        #expect(plain.tasksPerStep == 16 && plain.groupSize == 8 && plain.learningRate == 2e-4 && plain.clipRatio == 0.2 && plain.dualClip == 3)
        let custom = try TrainingSettings.parse(JSONText(unchecked: #"{"group_size":4,"agents":["calc"],"warmup_steps":10}"#))
        #expect(custom.groupSize == 4 && custom.agents == ["calc"] && custom.warmupSteps == 10 && custom.tasksPerStep == 16)
    }

    @Test("unknown keys, wrong types and values out of range are refused with the reason")
    func refused() {
        let cases = [
            (#"{"group_sise":4}"#, "unknown training setting 'group_sise'"),
            (#"{"group_size":"four"}"#, "not valid training settings"),
            (#"{"clip_ratio":1.5}"#, "clip_ratio"),
            (#"{"tasks_per_step":0}"#, "tasks_per_step"),
            (#"[1,2]"#, "must be a JSON object"),
        ]
        for (config, reason) in cases {
            #expect(performing: { try TrainingSettings.parse(JSONText(unchecked: config)) }, throws: { error in
                (error as? LightningError)?.code == .badRequest && "\(error)".contains(reason)
            })
        }
    }

    @Test("checkpoints are kept per step, the newest two remain, and the newest is what a job resumes from")
    func checkpoints() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = JobCheckpoints(root: root, jobID: "job-1")
        #expect(try store.latest() == nil)
        let weights = try ModelWeights(config: ModelConfig(layers: 1, heads: 1, width: 8, context: 8), seed: 1)
        for step in 0...3 { try store.save(Checkpoint(weights: weights, version: 10 + step), step: step) }
        let latest = try #require(try store.latest())
        #expect(latest.step == 3 && latest.checkpoint.version == 13)
        let files = try FileManager.default.contentsOfDirectory(atPath: store.directory.path).sorted()
        #expect(files == ["step-2.ckpt", "step-3.ckpt"])
    }
}
