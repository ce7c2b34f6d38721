import Foundation
import LightningCore
import LightningModel
import LightningRunner
import Testing

/// The README's Python example, run unchanged by a runner against a real model host and store.
@Suite struct PythonExampleTests {
    @Test("the example agent's LLM call, its own spans and its reward all reach the store")
    func exampleAgent() async throws {
        try await withTestStore { store in
            let weights = try ModelWeights(config: ModelConfig(layers: 2, heads: 2, width: 32, context: 128), seed: 9)
            let ids = try await store.client.enqueueRollouts(
                [submission(#"{"question":"What is 6 times 7?","answer":"42","max_tokens":12}"#)]).map(\.rolloutID)
            try await withModelHost(store, weights: weights, version: 4) { host in
                let agent = ExternalAgent(command: "python3 \(repositoryPath("examples/python-agent/agent.py"))",
                                          otlpEndpoint: store.otlpEndpoint)
                try await withRunner(store, agent: agent, configure: {
                    $0.modelEndpoint = host.root + "/v1"
                    $0.modelName = "lightning-test"
                }) {
                    let rollout = try #require(try await store.finished(ids, timeout: 60).first)
                    let attempts = try await store.client.getRollout(rolloutID: ids[0]).attempts
                    #expect(rollout.status == .succeeded, "\(attempts)")
                    // A fresh model does not know arithmetic: the calculator refuses its proposal.
                    #expect(rollout.finalReward == 0)
                }
            }
            let attemptID = try await store.client.getRollout(rolloutID: ids[0]).attempts[0].attemptID
            let spans = try await store.client.querySpans(SpanQuery(rolloutID: ids[0]))
            let names = spans.map(\.name)
            #expect(spans.allSatisfy { $0.attemptID == attemptID }, "\(names)")
            let llm = try #require(spans.first { $0.name == "chat lightning-test" }, "\(names)")
            let attributes = try llm.attributes.value()
            let response = try #require(attributes["lightning.response_token_ids"]?.arrayValue)
            #expect(!response.isEmpty && attributes["lightning.response_logprobs"]?.arrayValue?.count == response.count)
            #expect(attributes["lightning.model_version"]?.intValue == 4)
            let solve = try #require(spans.first { $0.name == "solve" }, "\(names)")
            #expect(try solve.attributes.value()["task.question"]?.stringValue == "What is 6 times 7?")
            let tool = try #require(spans.first { $0.name == "execute_tool calculator" }, "\(names)")
            let toolAttributes = try tool.attributes.value()
            #expect(toolAttributes["gen_ai.tool.name"]?.stringValue == "calculator")
            #expect(tool.parentSpanID == solve.spanID)
            #expect(tool.statusCode == .error, "the calculator cannot evaluate a fresh model's text")
            #expect(spans.contains { $0.name == "lightning.reward" }, "\(names)")
        }
    }
}
