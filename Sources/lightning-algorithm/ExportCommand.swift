import ArgumentParser
import Foundation
import LightningAlgorithm
import LightningFormats
import LightningServices
import LightningModel

/// `lightning-algorithm export`: a training job's newest checkpoint of an open-weight model, written as
/// a Hugging Face folder, a PEFT adapter or a GGUF, where the trainer keeps its checkpoints.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a job's trained open-weight model: hf (merged safetensors folder), peft (LoRA adapter), gguf-f16 or gguf-q8_0.")

    @Argument(help: "The job id")
    var jobID: String

    @Option(help: "The base model the job trained: the .gguf file or Hugging Face folder given to train --model [env: LIGHTNING_MODEL]")
    var model: String?

    @Option(help: "Directory of the checkpoints [env: LIGHTNING_CHECKPOINT_DIR]")
    var checkpointDir = Environment.string("LIGHTNING_CHECKPOINT_DIR", default: ".lightning/checkpoints")

    @Option(help: "hf, peft, gguf-f16 or gguf-q8_0")
    var format = "hf"

    @Option(help: "Where to write: a folder (hf, peft; gguf: model-<type>.gguf inside it) or a .gguf path (default .lightning/exports/<job>/<format>)")
    var output: String?

    @Option(help: "hf: the safetensors dtype, f32, bf16 or f16")
    var dtype = "f32"

    func run() async throws {
        guard let format = ExportFormat(rawValue: format) else {
            throw ValidationError("--format must be one of \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let dtype = ["f32": SafetensorsDType.f32, "bf16": .bf16, "f16": .f16][dtype] else {
            throw ValidationError("--dtype must be f32, bf16 or f16")
        }
        guard let path = model ?? Environment.string("LIGHTNING_MODEL") else {
            throw ValidationError("--model: the base model the job trained is needed (its tokenizer and the frozen weights)")
        }
        let checkpoints = JobCheckpoints(root: URL(fileURLWithPath: checkpointDir), jobID: jobID, fileExtension: "safetensors")
        guard let newest = checkpoints.latestFile() else {
            throw ValidationError("no checkpoint of job \(jobID) in \(checkpoints.directory.path)")
        }
        let base = try OpenWeightModel.load(path: path)
        let trained = try LlamaTrainingModel(weights: base.weights, lora: try LlamaTrainingModel.checkpointLoRA(at: newest.url.path))
        try trained.restoreCheckpoint(from: newest.url.path)
        let destination = output ?? ".lightning/exports/\(jobID)/\(format.rawValue)"
        let files = try ModelExporter(model: trained, base: base, basePath: path).export(format, to: destination, dtype: dtype)
        print("exported step \(newest.step) (model version \(trained.version)) of job \(jobID) as \(format.rawValue):")
        for file in files { print("  \(file)") }
    }
}
