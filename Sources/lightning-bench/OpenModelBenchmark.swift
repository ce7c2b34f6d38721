import ArgumentParser
import Foundation
import LightningAlgorithm
import LightningModel

/// `lightning-bench open-model`: one measurement of an open-weight model (a GGUF file or Hugging Face
/// folder) per process, printed as one JSON line with the process's peak memory. `runner` times the
/// model's runner as the engine drives it (what llama.cpp's `llama-bench` and `llama-batched-bench`
/// time); `engine` serves concurrent chat-length requests through the generation engine, sampling and
/// scheduling included. `scripts/bench-model.sh` runs both beside llama.cpp.
struct OpenModelBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open-model",
        abstract: "Measure an open-weight model's prefill and decode throughput (one JSON line).")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case runner, engine, train
    }

    @Argument(help: "runner, engine or train (full fine-tuning steps on --sequences × --prompt random tokens)")
    var kind: Kind

    @Option(help: "A .gguf file or a Hugging Face model folder")
    var model: String

    @Option(help: "runner: sequences decoded together; engine: concurrent requests")
    var sequences = 1

    @Option(help: "Prompt tokens per sequence")
    var prompt = 128

    @Option(name: .customLong("new"), help: "New tokens per sequence")
    var newTokens = 64

    @Option(help: "runner: timed rounds after one warm-up")
    var repeats = 3

    @Option(help: "train: LoRA rank on every linear layer (0: full fine-tuning)")
    var loraRank = 0

    @Flag(inversion: .prefixedNo, help: "train: recompute each block's activations in backward")
    var checkpoint = true

    @Option(help: "Compute threads")
    var threads = ComputeThreads.defaultWorkers

    func run() async throws {
        let loadStart = ContinuousClock.now
        let loaded = try OpenWeightModel.load(path: model)
        let loadSeconds = ModelBenchmark.seconds(since: loadStart)
        var line: [String: Any] = ["kind": "open-" + kind.rawValue, "sequences": sequences, "prompt": prompt, "new": newTokens,
                                   "threads": threads, "load_s": loadSeconds]
        switch kind {
        case .runner:
            let result = try ModelBenchmark.prefillAndDecode(weights: loaded.weights, sequences: sequences, promptLength: prompt,
                                                             newTokens: newTokens, repeats: repeats, threads: threads)
            line["prefill_tokens_per_s"] = result.prefillTokensPerSecond
            line["decode_tokens_per_s"] = result.decodeTokensPerSecond
        case .engine:
            let engine = try GenerationEngine(weights: loaded.weights, vocabulary: loaded.text.vocabulary, version: 0,
                                              configuration: .init(maxSequences: sequences, threads: threads))
            let vocabulary = UInt64(loaded.weights.vocabularySize)
            let requests = (0..<sequences).map { i in
                var rng = SeededGenerator(seed: UInt64(i + 1))
                return GenerationRequest(prompt: (0..<prompt).map { _ in Int32(rng.next() % vocabulary) }, maxTokens: newTokens,
                                         seed: UInt64(i), stopTokens: [])
            }
            let start = ContinuousClock.now
            let tokens = try await withThrowingTaskGroup(of: Int.self) { group in
                for request in requests { group.addTask { try await engine.complete(request).usage.completionTokens } }
                return try await group.reduce(0, +)
            }
            let wall = ModelBenchmark.seconds(since: start)
            await engine.shutdown()
            line["completion_tokens"] = tokens
            line["wall_s"] = wall
            line["tokens_per_s"] = Double(tokens) / wall
        case .train:
            let lora = loraRank > 0 ? LoRAConfiguration(rank: loraRank, alpha: Double(2 * loraRank)) : nil
            let model = try LlamaTrainingModel(weights: loaded.weights, lora: lora, threads: threads,
                                               checkpointActivations: checkpoint)
            model.activationBudgetBytes = 0  // --checkpoint: always recompute, to measure what it costs
            line["lora_rank"] = loraRank
            let seconds = try ModelBenchmark.stepSeconds(model, batchSize: sequences, sequenceLength: prompt, steps: repeats)
            line["checkpoint"] = checkpoint
            line["step_s"] = seconds
            line["tokens_per_s"] = Double(sequences * prompt) / seconds
        }
        line["peak_mib"] = ProcessStats.peakMemoryMiB(getpid())
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
