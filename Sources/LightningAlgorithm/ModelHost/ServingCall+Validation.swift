import LightningModel

/// Checks of the request fields both endpoints share, with the limits of the served model.
struct CallLimits: Sendable {
    var context: Int
    var maxChoices: Int
    var vocabularySize: Int

    func sampling(temperature: Double?, topP: Double?, topK: Int?) throws(APIError) -> SamplingParameters {
        let temperature = temperature ?? 1
        guard temperature.isFinite, (0...2).contains(temperature) else {
            throw APIError.invalid("temperature", "temperature must be between 0 and 2, got \(temperature)")
        }
        let topP = topP ?? 1
        guard topP.isFinite, topP > 0, topP <= 1 else {
            throw APIError.invalid("top_p", "top_p must be in (0, 1], got \(topP)")
        }
        let topK = topK ?? 0
        guard topK >= -1 else { throw APIError.invalid("top_k", "top_k must be -1 or 0 (all tokens) or positive, got \(topK)") }
        return SamplingParameters(temperature: Float(temperature), topP: Float(topP), topK: max(topK, 0))
    }

    /// Most tokens to generate: the request's (at most the context), else as many as fit. The engine
    /// also stops at the context's end, with finish reason `length`.
    func maxTokens(_ requested: Int?, field: String, promptLength: Int) throws(APIError) -> Int {
        guard let requested else { return context - promptLength }
        guard requested >= 1, requested <= context else {
            throw APIError.invalid(field, "\(field) must be between 1 and the context length \(context), got \(requested)")
        }
        return requested
    }

    func choices(_ n: Int?) throws(APIError) -> Int {
        let n = n ?? 1
        guard (1...maxChoices).contains(n) else {
            throw APIError.invalid("n", "n must be between 1 and \(maxChoices) (the model host's sequence slots), got \(n)")
        }
        return n
    }

    func topLogprobs(_ value: Int?, field: String) throws(APIError) -> Int {
        let value = value ?? 0
        guard (0...20).contains(value) else { throw APIError.invalid(field, "\(field) must be between 0 and 20, got \(value)") }
        return value
    }

    func stop(_ stop: [String]?) throws(APIError) -> [String] {
        let stop = stop ?? []
        guard stop.count <= 16, stop.allSatisfy({ !$0.isEmpty }) else {
            throw APIError.invalid("stop", "stop takes at most 16 non-empty strings")
        }
        return stop
    }

    func prompt(_ tokens: [Int32], param: String) throws(APIError) -> [Int32] {
        guard !tokens.isEmpty else { throw APIError.invalid(param, "the prompt is empty") }
        guard tokens.count < context else {
            throw APIError(.badRequest, code: "context_length_exceeded", param: param,
                           "the prompt has \(tokens.count) tokens; this model's context holds \(context) tokens including at least one generated token")
        }
        guard tokens.allSatisfy({ $0 >= 0 && Int($0) < vocabularySize }) else {
            throw APIError.invalid(param, "token ids must be in 0..<\(vocabularySize)")
        }
        return tokens
    }

    static func seed(_ seed: Int?) -> UInt64? {
        seed.map { UInt64(bitPattern: Int64($0)) }
    }
}
