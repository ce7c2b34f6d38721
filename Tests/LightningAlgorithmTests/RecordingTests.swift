import Foundation
import LightningAlgorithm
import LightningCore
import LightningModel
import LightningOpenAI
import Testing

@Suite struct RecordingTests {
    static let messages = [ChatCompletionMessage(role: .system, content: "Be brief."), ChatCompletionMessage(role: .user, content: "2+2?")]
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentID = "00f067aa0ba902b7"

    @Test("a chat under a rollout URL is recorded per choice, with token ids and logprobs that re-score under the model")
    func chatRecorded() async throws {
        let recorder = FakeRecorder()
        try await withTestHost(recorder: recorder) { host in
            let client = OpenAIClient(
                baseURL: host.rolloutURL(rollout: "ro-abc", attempt: "at-def"),
                headers: ["traceparent": "00-\(Self.traceID)-\(Self.parentID)-01", "x-lightning-agent": "solver"])
            let reply = try await client.chat(ChatCompletionRequest(
                model: TestHost.modelName, messages: Self.messages, temperature: 0.7, topP: 0.9, maxTokens: 10, n: 2, seed: 3))
            let call = try #require(await recorder.calls.first)
            #expect(await recorder.calls.count == 1)
            #expect(call.rolloutID == "ro-abc" && call.attemptID == "at-def")
            #expect(call.agentName == "solver")
            #expect(call.responseID == reply.id)
            #expect(call.promptTokenIDs == ChatTemplate.tokens(for: [(.system, "Be brief."), (.user, "2+2?")]))
            #expect(call.choices.map(\.text) == reply.choices.map { $0.message.text })
            for choice in call.choices {
                #expect(choice.tokenIDs.count == choice.logprobs.count && !choice.tokenIDs.isEmpty)
                let expected = try rescore(weights: host.weights, prompt: call.promptTokenIDs, response: choice.tokenIDs, temperature: 0.7)
                #expect(maxDifference(expected, choice.logprobs) < 1e-4)
            }

            let spans = call.spans()
            #expect(spans.count == 2)
            #expect(spans.allSatisfy { $0.name == "chat \(TestHost.modelName)" && $0.kind == .client })
            #expect(spans.allSatisfy { $0.traceID == Self.traceID && $0.parentSpanID == Self.parentID })
            #expect(Set(spans.map(\.spanID)).count == 2)
            #expect(spans.allSatisfy { $0.startTimeUnixNano <= $0.endTimeUnixNano && $0.startTimeUnixNano > 1_700_000_000_000_000_000 })
            let attributes = try spans[1].attributes.value()
            #expect(attributes["gen_ai.operation.name"]?.stringValue == "chat")
            #expect(attributes["gen_ai.system"]?.stringValue == "lightning")
            #expect(attributes["gen_ai.request.model"]?.stringValue == TestHost.modelName)
            #expect(attributes["gen_ai.request.temperature"]?.doubleValue == 0.7)
            #expect(attributes["gen_ai.request.top_p"]?.doubleValue == 0.9)
            #expect(attributes["gen_ai.request.max_tokens"]?.intValue == 10)
            #expect(attributes["gen_ai.response.id"]?.stringValue == reply.id)
            #expect(attributes["gen_ai.response.model"]?.stringValue == TestHost.modelName)
            #expect(attributes["gen_ai.response.finish_reasons"]?.arrayValue?.compactMap(\.stringValue) == [call.choices[1].finishReason])
            #expect(attributes["gen_ai.usage.input_tokens"]?.intValue == call.promptTokenIDs.count)
            #expect(attributes["gen_ai.usage.output_tokens"]?.intValue == call.choices[1].tokenIDs.count)
            #expect(attributes["lightning.prompt_token_ids"]?.arrayValue?.compactMap(\.intValue) == call.promptTokenIDs.map(Int.init))
            #expect(attributes["lightning.response_token_ids"]?.arrayValue?.compactMap(\.intValue) == call.choices[1].tokenIDs.map(Int.init))
            #expect(attributes["lightning.response_logprobs"]?.arrayValue?.compactMap(\.doubleValue) == call.choices[1].logprobs.map(Double.init))
            #expect(attributes["lightning.model_version"]?.intValue == 0)
            #expect(attributes["lightning.agent_name"]?.stringValue == "solver")
            #expect(attributes["lightning.choice_index"]?.intValue == 1)
            #expect(attributes["lightning.response_text"]?.stringValue == call.choices[1].text)
            let request = try JSONText(unchecked: attributes["lightning.request"]?.stringValue ?? "").value()
            #expect(request["messages"]?.arrayValue?.count == 2)
        }
    }

    @Test("a streamed completion under a rollout URL records the streamed tokens; the user field names the agent")
    func streamRecorded() async throws {
        let recorder = FakeRecorder()
        try await withTestHost(recorder: recorder) { host in
            let url = host.url("/rollout/ro-1/attempt/at-1/v1/completions")
            let body = #"{"model":"\#(TestHost.modelName)","prompt":"abc","max_tokens":6,"stream":true,"return_token_ids":true,"user":"writer","temperature":1.3}"#
            let answer = try await RawHTTP.post(url, json: body)
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            let events = String(decoding: answer.body, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.last == "data: [DONE]")
            let streamed = events.dropLast().flatMap { event -> [Int] in
                let json = (try? JSONSerialization.jsonObject(with: Data(event.dropFirst(6).utf8))) as? [String: Any] ?? [:]
                return json.objects("choices").flatMap { $0.ints("token_ids") ?? [] }
            }
            let call = try #require(await recorder.calls.first)
            #expect(call.operation == .textCompletion && call.agentName == "writer")
            #expect(call.choices.first?.tokenIDs.map(Int.init) == streamed)
            #expect(call.trace == nil)
            let choice = try #require(call.choices.first)
            let expected = try rescore(weights: host.weights, prompt: call.promptTokenIDs, response: choice.tokenIDs, temperature: 1.3)
            #expect(maxDifference(expected, choice.logprobs) < 1e-4)
            #expect(call.spans().first?.name == "text_completion \(TestHost.modelName)")
        }
    }

    @Test("calls under /v1 are served without recording")
    func plainNotRecorded() async throws {
        let recorder = FakeRecorder()
        try await withTestHost(recorder: recorder) { host in
            let reply = try await OpenAIClient(baseURL: host.baseURL).chat(ChatCompletionRequest(model: TestHost.modelName, messages: Self.messages, maxTokens: 2))
            #expect(reply.choices.count == 1)
            #expect(await recorder.calls.isEmpty)
        }
    }

    @Test("traceparent: valid headers parse, malformed or all-zero ones are ignored")
    func traceParent() {
        let parsed = TraceParent(header: "00-\(Self.traceID)-\(Self.parentID)-01")
        #expect(parsed == TraceParent(traceID: Self.traceID, parentSpanID: Self.parentID))
        #expect(TraceParent(header: " 00-\(Self.traceID.uppercased())-\(Self.parentID)-00 ")?.traceID == Self.traceID)
        #expect(TraceParent(header: "00-\(String(repeating: "0", count: 32))-\(Self.parentID)-01") == nil)
        #expect(TraceParent(header: "00-\(Self.traceID)-\(String(repeating: "0", count: 16))-01") == nil)
        #expect(TraceParent(header: "00-xyz-\(Self.parentID)-01") == nil)
        #expect(TraceParent(header: "ff-\(Self.traceID)-\(Self.parentID)-01") == nil)
    }
}
