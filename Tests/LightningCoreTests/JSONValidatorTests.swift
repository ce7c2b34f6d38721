import LightningCore
import Testing

@Suite struct JSONValidatorTests {
    @Test("valid documents pass", arguments: [
        "{}", "[]", "null", "true", "-0.5e+10", "\"a\\u00e9\\ud83d\\ude00\"", "{\"a\": [1, 2, {\"b\": null}], \"c\": \"\\n\"}", " 12 ",
    ])
    func valid(_ text: String) {
        #expect(JSONValidator.problem(in: text) == nil)
    }

    @Test("invalid documents and what jsonb refuses are reported", arguments: [
        "", "{", "{\"a\" 1}", "[1,]", "01", "1.", "tru", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\u{01}\"", "{} {}", "'a'", "\"\\x\"",
    ])
    func invalid(_ text: String) {
        #expect(JSONValidator.problem(in: text) != nil)
    }

    @Test("hostile nesting is refused without exhausting the stack")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONValidator.problem(in: deep)?.contains("nesting") == true)
    }
}
