import Foundation
import LightningCore
import Testing

@Suite struct JSONWriterTests {
    @Test("nested objects and arrays get their commas and nothing else")
    func structure() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a")
        writer.integer(1)
        writer.key("b")
        writer.beginArray()
        writer.bool(true)
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.null()
        writer.endArray()
        writer.number(2.5)
        writer.endArray()
        writer.key("c")
        writer.raw(JSONText(unchecked: #"{"x":[1]}"#))
        writer.key("d")
        writer.number(3)
        writer.endObject()
        #expect(writer.text == #"{"a":1,"b":[true,{},[null],2.5],"c":{"x":[1]},"d":3}"#)
    }

    @Test("strings: quotes, backslashes and control characters escaped, NUL replaced, other characters kept")
    func strings() throws {
        var writer = JSONWriter()
        writer.beginArray()
        writer.string("plain")
        writer.string("say \"hi\"\\ \n\r\t\u{1}\u{1f} end")
        writer.string("a\u{0}b")
        writer.string("é 漢 😀")
        writer.string("")
        writer.endArray()
        #expect(writer.text == #"["plain","say \"hi\"\\ \n\r\t\u0001\u001f end","a\#u{FFFD}b","é 漢 😀",""]"#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(writer.text.utf8)) as? [String])
        #expect(parsed == ["plain", "say \"hi\"\\ \n\r\t\u{1}\u{1f} end", "a\u{FFFD}b", "é 漢 😀", ""])
        #expect(throws: Never.self) { try JSONText(validating: writer.text) }
    }

    @Test("numbers JSON cannot hold become strings")
    func nonFinite() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.number(.nan)
        writer.number(.infinity)
        writer.number(-.infinity)
        writer.number(-0.125)
        writer.integer(Int64.min)
        writer.endArray()
        #expect(writer.text == #"["NaN","Infinity","-Infinity",-0.125,-9223372036854775808]"#)
    }
}

@Suite struct JSONTextEncodingTests {
    @Test("encoded NUL characters become U+FFFD, so PostgreSQL takes the text; a literal backslash-u0000 stays")
    func nulReplaced() throws {
        let encoded = try JSONText(encoding: ["reply": "a\u{0}b\u{0}", "literal": #"\u0000 and \\u0000"#])
        #expect(throws: Never.self) { try JSONText(validating: encoded.text) }
        let decoded = try encoded.decode([String: String].self)
        #expect(decoded == ["reply": "a\u{FFFD}b\u{FFFD}", "literal": #"\u0000 and \\u0000"#])
    }
}
