import Hummingbird
import LightningModel
import LightningOpenAI

extension ModelHost {
    /// Reads, validates and runs one chat or completions request.
    func serve(_ kind: ServingCall.Kind, request: Request, context: BasicRequestContext, recording: Bool) async throws -> Response {
        let start = WallClock.nanoseconds()
        var request = request
        let body = try await request.collectBody(upTo: configuration.maxRequestBytes)
        let call = switch kind {
        case .chat: try ServingCall(chat: requireModel(APIError.decode(ChatCompletionRequest.self, from: body)),
                                    body: body.readableBytesView, limits: limits, text: text)
        case .textCompletion: try ServingCall(completion: requireModel(APIError.decode(CompletionRequest.self, from: body)),
                                              limits: limits, text: text)
        }
        let target = recording ? try RolloutTarget(request: request, context: context, user: call.user) : nil
        let header = ResponseHeader(kind: kind, model: configuration.modelName)
        metrics.batchSize.record(engine.statistics.runningSequences)
        let (events, version) = submit(call.generation)
        if call.stream {
            return stream(call, events: events, header: header, version: version, target: target, start: start)
        }
        var result = CallResult(promptTokens: call.prompt.count, n: call.generation.n)
        do {
            for try await event in events { result.apply(event) }
        } catch let error as ModelError {
            throw APIError(error)
        }
        await finished(call, result, header: header, target: target, start: start)
        switch kind {
        case .chat: return HostJSON.response(ResponseBuilder.chat(call, result, header: header))
        case .textCompletion: return HostJSON.response(ResponseBuilder.completion(call, result, header: header))
        }
    }

    /// The request, if it names the served model (checked before its content, as OpenAI does).
    private func requireModel<R: ModelNamed>(_ request: R) throws(APIError) -> R {
        guard request.model == configuration.modelName else {
            throw APIError(.notFound, code: "model_not_found", param: "model",
                           "the model '\(request.model)' does not exist; this host serves '\(configuration.modelName)'")
        }
        return request
    }

    /// A server-sent-event response. A client that goes away fails the next write, which ends the loop
    /// and drops the event stream: the engine frees the call's slots at its next step.
    private func stream(
        _ call: ServingCall, events: AsyncThrowingStream<GenerationEvent, any Error>, header: ResponseHeader, version: Int,
        target: RolloutTarget?, start: UInt64
    ) -> Response {
        let body = ResponseBody { writer in
            var encoder = StreamEncoder(call: call, header: header, weightsVersion: version)
            var result = CallResult(promptTokens: call.prompt.count, n: call.generation.n)
            try await writer.write(contentsOf: encoder.opening())
            var iterator = events.makeAsyncIterator()
            while true {
                let event: GenerationEvent?
                do {
                    event = try await iterator.next()
                } catch {
                    let failure = (error as? ModelError).map(APIError.init)
                        ?? APIError(.internalServerError, code: "server_error", "generation failed: \(error)")
                    try await writer.write(HostJSON.event(failure.body))
                    break
                }
                guard let event else { break }
                result.apply(event)
                let chunks = encoder.chunks(for: event)
                if !chunks.isEmpty { try await writer.write(contentsOf: chunks) }
            }
            if result.isComplete, let usage = encoder.usage(result) { try await writer.write(usage) }
            try await writer.write(HostJSON.done)
            try await writer.finish(nil)
            await self.finished(call, result, header: header, target: target, start: start)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// Metrics, and the recording of a complete call under a rollout URL.
    func finished(_ call: ServingCall, _ result: CallResult, header: ResponseHeader, target: RolloutTarget?, start: UInt64) async {
        guard let version = result.weightsVersion else { return }
        let end = WallClock.nanoseconds()
        metrics.promptTokens.increment(by: Int64(result.promptTokens))
        metrics.generatedTokens.increment(by: Int64(result.completionTokens))
        metrics.generationTime.recordNanoseconds(Int64(end - start))
        if end > start { metrics.tokensPerSecond.record(Double(result.completionTokens) * 1e9 / Double(end - start)) }
        guard let target, let recorder else { return }
        await recorder.record(RecordedCall(
            rolloutID: target.rolloutID, attemptID: target.attemptID, trace: target.trace,
            operation: call.kind == .chat ? .chat : .textCompletion, requestModel: call.model, responseModel: header.model,
            responseID: header.id, temperature: call.requestedTemperature, topP: call.requestedTopP,
            maxTokens: call.requestedMaxTokens, promptTokenIDs: call.prompt,
            choices: result.choices.map {
                RecordedCall.Choice(index: $0.index, tokenIDs: $0.tokens, logprobs: $0.logprobs, text: $0.text,
                                    finishReason: ($0.finishReason ?? .length).rawValue)
            },
            modelVersion: version, agentName: target.agentName, requestJSON: call.requestJSON,
            startTimeUnixNano: start, endTimeUnixNano: end))
        metrics.recordedCalls.increment()
    }
}

/// A request that names a model.
protocol ModelNamed {
    var model: String { get }
}

extension ChatCompletionRequest: ModelNamed {}
extension CompletionRequest: ModelNamed {}
