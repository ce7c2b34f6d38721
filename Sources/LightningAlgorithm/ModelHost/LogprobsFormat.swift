import LightningModel
import LightningOpenAI

/// Per-token log-probabilities in the two OpenAI shapes.
enum LogprobsFormat {
    static func chat(_ text: TokenText, tokens: some Collection<Int32>, logprobs: some Collection<Float>, top: some Collection<[TokenLogprob]>) -> ChatLogprobs {
        let entries = zip(zip(tokens, logprobs), top).map { pair, alternatives in
            ChatLogprobs.Entry(
                token: text.display(pair.0), logprob: Double(pair.1), bytes: text.bytes(pair.0),
                topLogprobs: alternatives.map {
                    ChatLogprobs.Alternative(token: text.display($0.token), logprob: Double($0.logprob), bytes: text.bytes($0.token))
                })
        }
        return ChatLogprobs(content: entries)
    }

    /// `startOffset`: text bytes before the first of `tokens` (for streamed pieces).
    static func completion(
        _ text: TokenText, tokens: some Collection<Int32>, logprobs: some Collection<Float>, top: some Collection<[TokenLogprob]>,
        alternatives: Int, startOffset: Int = 0
    ) -> CompletionLogprobs {
        var offsets: [Int] = []
        var offset = startOffset
        for token in tokens {
            offsets.append(offset)
            offset += text.length(token)
        }
        let topMaps: [[String: Double]]? = alternatives == 0 ? nil : top.map { list in
            Dictionary(list.map { (text.display($0.token), Double($0.logprob)) }, uniquingKeysWith: { first, _ in first })
        }
        return CompletionLogprobs(tokens: tokens.map(text.display), tokenLogprobs: logprobs.map(Double.init),
                                  topLogprobs: topMaps, textOffset: offsets)
    }
}
