import LightningModel

/// Log-probabilities of `response` after `prompt` under `log_softmax(logits / temperature)`, computed
/// by the training model (an independent path from the engine's KV-cache decoding).
func rescore(weights: ModelWeights, prompt: [Int32], response: [Int32], temperature: Float) throws -> [Float] {
    let model = TrainingModel(weights: weights, threads: 1)
    let sequence = prompt + response
    let tokens = Array(sequence.dropLast())
    let batch = TokenBatch(tokens: tokens, targets: Array(sequence.dropFirst()), batchSize: 1, sequenceLength: tokens.count)
    return Array(try model.forward(batch, temperature: temperature).logprobs.suffix(response.count))
}

func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
