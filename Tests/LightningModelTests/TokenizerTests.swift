import LightningModel
import Testing

@Suite struct TokenizerTests {
    let tokenizer = ByteTokenizer()

    @Test(arguments: [
        "", "hello", "Grüße, 世界!", "emoji 👩🏽‍💻🚀 and flags 🇫🇷", "tabs\tand\nnewlines\r\n", "\u{0}nul",
        "<|user|> is plain text", "combining e\u{301} and ﬁ ligature", String(repeating: "𝔸", count: 50),
    ])
    func roundTripIsLossless(_ text: String) {
        let tokens = tokenizer.encode(text)
        #expect(tokens.count == text.utf8.count)
        #expect(tokens.allSatisfy { (0..<256).contains($0) })
        #expect(tokenizer.decode(tokens) == text)
    }

    @Test func randomUnicodeRoundTrips() {
        var rng = SeededGenerator(seed: 77)
        for _ in 0..<200 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int(rng.next() % 40) {
                let value = UInt32(rng.next() % 0x10FFFF)
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let text = String(scalars)
            #expect(tokenizer.decode(tokenizer.encode(text)) == text)
        }
    }

    @Test func specialTokensAreNeverParsedFromText() {
        for special in ByteTokenizer.Special.allCases {
            let tokens = tokenizer.encode(special.name)
            #expect(!tokens.contains(special.rawValue))
            #expect(tokens.allSatisfy { $0 < 256 })
        }
    }

    @Test func decodingSkipsOrNamesSpecialTokens() {
        let tokens: [Int32] = [256, 259] + tokenizer.encode("hi") + [257]
        #expect(tokenizer.decode(tokens) == "hi")
        #expect(tokenizer.decode(tokens, showSpecial: true) == "<|bos|><|user|>hi<|eot|>")
        #expect(ByteTokenizer.vocabularySize == 263)
        #expect(Set(ByteTokenizer.Special.allCases.map(\.rawValue)).count == 7)
    }

    @Test func chatTemplate() {
        let messages: [(ChatRole, String)] = [
            (.system, "Be brief."), (.user, "2+2?"), (.assistant, "4"), (.tool, "{\"ok\":true}"), (.user, "<|eot|>"),
        ]
        let tokens = ChatTemplate.tokens(for: messages)
        let rendered = ByteTokenizer().decode(tokens, showSpecial: true)
        #expect(rendered == "<|bos|><|system|>Be brief.<|eot|><|user|>2+2?<|eot|><|assistant|>4<|eot|>"
            + "<|tool|>{\"ok\":true}<|eot|><|user|><|eot|><|eot|><|assistant|>")
        #expect(tokens.first == ByteTokenizer.Special.beginOfText.rawValue)
        #expect(tokens.last == ByteTokenizer.Special.assistant.rawValue)
        // The user's literal "<|eot|>" stayed bytes: exactly five real end-of-turn tokens.
        #expect(tokens.filter { $0 == ByteTokenizer.Special.endOfTurn.rawValue }.count == 5)
        let noPrompt = ChatTemplate.tokens(for: [ChatMessage(role: .user, content: "x")], addGenerationPrompt: false)
        #expect(noPrompt == [256, 259, 120, 257])
    }
}
