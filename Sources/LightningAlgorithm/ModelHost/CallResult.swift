import LightningModel

/// The generated choices of one call, collected from the engine's events (streamed or not).
struct CallResult: Sendable {
    struct Choice: Sendable {
        var index: Int
        var tokens: [Int32] = []
        var logprobs: [Float] = []
        var topLogprobs: [[TokenLogprob]] = []
        var text = ""
        var finishReason: FinishReason?
    }

    var choices: [Choice]
    let promptTokens: Int
    /// Set by `.completed`.
    var usage: GenerationUsage?
    var weightsVersion: Int?

    init(promptTokens: Int, n: Int) {
        choices = (0..<n).map { Choice(index: $0) }
        self.promptTokens = promptTokens
    }

    var isComplete: Bool { weightsVersion != nil }

    var completionTokens: Int { usage?.completionTokens ?? choices.reduce(0) { $0 + $1.tokens.count } }

    mutating func apply(_ event: GenerationEvent) {
        switch event {
        case .token(let token) where choices.indices.contains(token.choice):
            choices[token.choice].tokens.append(token.token)
            choices[token.choice].logprobs.append(token.logprob)
            choices[token.choice].topLogprobs.append(token.topLogprobs)
            choices[token.choice].text += token.text
        case .choiceFinished(let index, let reason, let text) where choices.indices.contains(index):
            choices[index].text += text
            choices[index].finishReason = reason
        case .completed(let usage, let version):
            self.usage = usage
            weightsVersion = version
        default:
            break
        }
    }
}
