import Foundation
import LightningOpenAI
import Testing

/// Decoding what real clients send, and encoding what they expect to read.
@Suite struct WireFormatTests {
    @Test("chat requests decode content parts, null content with tool_calls, tool messages and a single stop string")
    func chatRequestShapes() throws {
        let json = #"""
        {"model":"m","stop":"END","messages":[
          {"role":"developer","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"b"}]},
          {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"calc","arguments":"{}"}}]},
          {"role":"tool","tool_call_id":"c1","content":"5"}],
         "tools":[{"type":"function","function":{"name":"calc","parameters":{"type":"object"}}}],"tool_choice":"auto"}
        """#
        let request = try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(json.utf8))
        #expect(request.messages.map(\.role) == [.developer, .assistant, .tool])
        #expect(request.messages[0].text == "ab")
        #expect(request.messages[1].content == nil && request.messages[1].toolCalls?.first?.function.name == "calc")
        #expect(request.messages[2].toolCallID == "c1")
        #expect(request.stop?.values == ["END"])
    }

    @Test("completion prompts decode as text, token ids and batches")
    func prompts() throws {
        func prompt(_ json: String) throws -> CompletionPrompt {
            try JSONDecoder().decode(CompletionRequest.self, from: Data(#"{"model":"m","prompt":\#(json)}"#.utf8)).prompt
        }
        #expect(try prompt(#""hi""#) == .text("hi"))
        #expect(try prompt("[1,2]") == .tokens([1, 2]))
        #expect(try prompt(#"["a","b"]"#) == .texts(["a", "b"]))
        #expect(try prompt("[[1],[2,3]]") == .tokenBatches([[1], [2, 3]]))
        #expect(throws: DecodingError.self) { try prompt("{}") }
    }

    @Test("responses always carry finish_reason, logprobs and content keys (null when unset)")
    func explicitNulls() throws {
        let chunk = ChatCompletionChunk(id: "x", created: 1, model: "m", systemFingerprint: nil,
                                        choices: [.init(index: 0, delta: .init(role: .assistant, content: ""))])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(chunk)) as? [String: Any] ?? [:]
        let choice = try #require(object.objects("choices").first)
        #expect(choice.keys.contains("finish_reason") && choice.keys.contains("logprobs"))
        let error = try JSONSerialization.jsonObject(with: JSONEncoder().encode(OpenAIErrorBody(.init(message: "m", type: "t")))) as? [String: Any]
        #expect(error?.object("error").keys.sorted() == ["code", "message", "param", "type"])
    }
}
