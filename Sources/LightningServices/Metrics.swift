import Metrics
import Prometheus

extension ServiceSetup {
    /// Routes swift-metrics into a Prometheus registry; serve `registry.emitToString()` at `/metrics`.
    public static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
