package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.health.Readiness;
import ai.dalsi.gateway.metrics.GatewayMetrics;
import java.util.Map;

/**
 * What load balancers and Prometheus call: {@code GET /health/live}, {@code GET /health/ready}
 * (200 or 503 with each check's state) and {@code GET /metrics} (open unless
 * {@code admin.metricsRequireAuth}).
 */
final class OpsRoutes {

    private final GatewayMetrics metrics;
    private final Readiness readiness;
    private final boolean metricsRequireAuth;

    OpsRoutes(GatewayMetrics metrics, Readiness readiness, boolean metricsRequireAuth) {
        this.metrics = metrics;
        this.readiness = readiness;
        this.metricsRequireAuth = metricsRequireAuth;
    }

    void register(Router router) {
        router.add("GET", "/health/live", Access.OPEN, r -> AdminResponse.json(200, Map.of("status", "live")));
        router.add("GET", "/health/ready", Access.OPEN, r -> {
            Readiness.Report report = readiness.evaluate();
            return AdminResponse.json(report.ready() ? 200 : 503, report);
        });
        router.add("GET", "/metrics", metricsRequireAuth ? Access.ADMIN : Access.OPEN,
                r -> AdminResponse.text(200, GatewayMetrics.CONTENT_TYPE, metrics.scrape()));
    }
}
