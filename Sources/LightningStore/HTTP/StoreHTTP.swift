import Foundation
import Hummingbird
import LightningCore
import Logging
import NIOCore
import PostgresNIO

/// The store's HTTP side on one port: OTLP ingest, health, Prometheus metrics and the dashboard.
enum StoreHTTP {
    static func router(
        database: Database, store: any LightningStoreAPI, configuration: StoreConfiguration, metricsText: (@Sendable () -> String)?
    ) -> Router<BasicRequestContext> {
        let router = Router()
        let receiver = OTLPReceiver(store: store, maxBodyBytes: configuration.server.maxMessageBytes)
        let apiKey = configuration.apiKey
        router.post("/v1/traces") { request, _ -> Response in
            if let apiKey, request.headers[.authorization] != "Bearer \(apiKey)" {
                return receiver.failure(.unauthorized, "a valid bearer API key is required", .json)
            }
            return await receiver.export(request)
        }
        router.get("/livez") { _, _ in "ok\n" }
        router.get("/healthz") { _, _ -> Response in
            do {
                _ = try await database.query("health", "SELECT 1")
                return text(.ok, "{\"status\":\"ok\",\"database\":\"ok\"}\n", type: "application/json")
            } catch {
                return text(.serviceUnavailable, "{\"status\":\"degraded\",\"database\":\(jsonString("\(error)"))}\n", type: "application/json")
            }
        }
        router.get("/metrics") { _, _ -> Response in
            text(.ok, metricsText?() ?? "", type: "text/plain; version=0.0.4")
        }
        Dashboard(store: store).register(on: router)
        return router
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, type: String) -> Response {
        Response(
            status: status, headers: [.contentType: type],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }
}
