import Hummingbird
import LightningOpenAI

extension ModelHost {
    /// `/healthz`, `/metrics`, and the API under `/v1` and under the rollout prefix (which records).
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorAndMetricsMiddleware(metrics: metrics, logger: logger))
        router.get("healthz") { _, _ in
            HostJSON.response(Health(status: "ok", model: self.configuration.modelName, weightsVersion: self.engine.weightsVersion,
                                     runningSequences: self.engine.statistics.runningSequences))
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: self.metricsText?() ?? "")))
        }
        addAPI(to: router.group("v1"), recording: false)
        addAPI(to: router.group("rollout/:rollout_id/attempt/:attempt_id/v1"), recording: true)
        return router
    }

    private func addAPI(to group: RouterGroup<BasicRequestContext>, recording: Bool) {
        if let key = configuration.apiKey { group.add(middleware: APIKeyMiddleware(key: key)) }
        group.get("models") { _, _ in
            HostJSON.response(ModelList(data: [.init(id: self.configuration.modelName, created: self.created)]))
        }
        group.post("chat/completions") { request, context in
            try await self.serve(.chat, request: request, context: context, recording: recording)
        }
        group.post("completions") { request, context in
            try await self.serve(.textCompletion, request: request, context: context, recording: recording)
        }
    }
}

/// The body of `/healthz`.
private struct Health: Encodable {
    var status: String
    var model: String
    var weightsVersion: Int
    var runningSequences: Int

    enum CodingKeys: String, CodingKey {
        case status, model
        case weightsVersion = "weights_version"
        case runningSequences = "running_sequences"
    }
}
