import Foundation

/// The search tool: the document that best matches a keyword. A document whose first word (its
/// subject) is the keyword wins; otherwise the one that mentions most of the keyword's words. No
/// match is an error, so that automatic intermediate rewards can penalise a useless search.
struct SearchIndex: Sendable {
    let documents: [String]

    /// The keyword of a tool call (`search: Tib` → `Tib`), or `nil` when the reply is not one.
    static func toolCall(in reply: String) -> String? {
        let trimmed = reply.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("search:") else { return nil }
        return trimmed.dropFirst(7).trimmingCharacters(in: .whitespaces)
    }

    func search(_ keyword: String) throws(SearchError) -> String {
        let wanted = TokenF1.tokens(keyword)
        guard !wanted.isEmpty else { throw SearchError(message: "empty search") }
        var best: (score: Int, document: String)?
        for document in documents {
            let words = TokenF1.tokens(document)
            var score = wanted.filter(words.contains).count
            if words.first == wanted.first { score += wanted.count + 1 }
            if score > (best?.score ?? 0) { best = (score, document) }
        }
        // Short, so that two searches and their results always fit the model's 128-token context.
        guard let best else { throw SearchError(message: "no match") }
        return best.document
    }
}

struct SearchError: Error, Hashable, CustomStringConvertible {
    let message: String
    var description: String { message }
}
