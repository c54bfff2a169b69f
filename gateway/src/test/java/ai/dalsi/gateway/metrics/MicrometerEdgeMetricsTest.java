package ai.dalsi.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.error.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MicrometerEdgeMetricsTest {

    private final GatewayMetrics metrics = new GatewayMetrics();

    @AfterEach
    void close() {
        metrics.close();
    }

    private static double value(Map<String, PrometheusText.Family> f, String family, String sample,
            Map<String, String> labels) {
        return f.get(family).samples().stream()
                .filter(s -> s.name().equals(sample) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }

    @Test
    void requestsAreCountedByProductStatusAndTier() {
        EdgeMetrics edge = metrics.edgeMetrics();
        edge.requestCompleted("ai.chat", 200, "pro", ms(12), ms(10));
        edge.requestCompleted("ai.chat", 200, "pro", ms(3), ms(2));
        edge.requestCompleted("ai.chat", 429, "free", ms(1), -1);
        edge.requestCompleted("none", 401, "none", ms(1), -1);
        Map<String, PrometheusText.Family> f = PrometheusText.parse(metrics.scrape());

        assertThat(value(f, "gateway_requests_total", "gateway_requests_total",
                Map.of("product", "ai.chat", "status", "200", "tier", "pro"))).isEqualTo(2);
        assertThat(value(f, "gateway_requests_total", "gateway_requests_total",
                Map.of("product", "ai.chat", "status", "429", "tier", "free"))).isEqualTo(1);
        assertThat(value(f, "gateway_requests_total", "gateway_requests_total",
                Map.of("product", "none", "status", "401"))).isEqualTo(1);

        assertThat(f.get("gateway_request_duration_seconds").type()).isEqualTo("histogram");
        assertThat(value(f, "gateway_request_duration_seconds", "gateway_request_duration_seconds_count",
                Map.of("product", "ai.chat"))).isEqualTo(3);
        assertThat(value(f, "gateway_upstream_duration_seconds", "gateway_upstream_duration_seconds_count",
                Map.of("product", "ai.chat"))).as("only requests that went upstream").isEqualTo(2);
        assertThat(value(f, "gateway_added_latency_seconds", "gateway_added_latency_seconds_sum",
                Map.of("product", "ai.chat"))).isEqualTo(0.003, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(value(f, "gateway_added_latency_seconds", "gateway_added_latency_seconds_bucket",
                Map.of("product", "ai.chat", "le", "0.001"))).as("1 ms bucket").isEqualTo(1);
        assertThat(value(f, "gateway_added_latency_seconds", "gateway_added_latency_seconds_bucket",
                Map.of("product", "ai.chat", "le", "0.0025"))).as("2.5 ms bucket").isEqualTo(2);
        assertThat(f.get("gateway_request_duration_seconds").samples().stream()
                .map(s -> s.labels().get("le")).filter(java.util.Objects::nonNull).distinct().toList())
                .contains("1.0E-4", "0.001", "1.0", "60.0", "+Inf");
    }

    @Test
    void rejectionsAreCountedByReasonAndEveryReasonIsExportedFromTheStart() {
        metrics.edgeMetrics().rejected(ErrorCode.RATE_LIMIT_EXCEEDED);
        metrics.edgeMetrics().rejected(ErrorCode.RATE_LIMIT_EXCEEDED);
        metrics.edgeMetrics().rejected(ErrorCode.INVALID_API_KEY);
        Map<String, PrometheusText.Family> f = PrometheusText.parse(metrics.scrape());
        assertThat(value(f, "gateway_rejections_total", "gateway_rejections_total",
                Map.of("reason", "rate_limit_exceeded"))).isEqualTo(2);
        assertThat(value(f, "gateway_rejections_total", "gateway_rejections_total",
                Map.of("reason", "invalid_api_key"))).isEqualTo(1);
        assertThat(value(f, "gateway_rejections_total", "gateway_rejections_total",
                Map.of("reason", "ip_not_allowed"))).isZero();
        assertThat(f.get("gateway_rejections_total").samples()).hasSize(ErrorCode.values().length);
    }

    @Test
    void tagValuesStayBounded() {
        EdgeMetrics edge = metrics.edgeMetrics();
        for (int i = 0; i < MicrometerEdgeMetrics.MAX_PRODUCTS + 10; i++) {
            edge.requestCompleted("product-" + i, 200, "pro", ms(1), -1);
        }
        edge.requestCompleted("ai.chat", 999, "platinum", ms(1), -1);
        edge.requestCompleted(null, -1, null, ms(1), -1);
        Map<String, PrometheusText.Family> f = PrometheusText.parse(metrics.scrape());
        List<String> products = f.get("gateway_requests_total").samples().stream()
                .map(s -> s.labels().get("product")).distinct().toList();
        assertThat(products).hasSizeLessThanOrEqualTo(MicrometerEdgeMetrics.MAX_PRODUCTS + 1).contains("other");
        assertThat(value(f, "gateway_requests_total", "gateway_requests_total",
                Map.of("status", "other", "tier", "other"))).isEqualTo(1);
        assertThat(value(f, "gateway_requests_total", "gateway_requests_total",
                Map.of("product", "none", "status", "other", "tier", "none"))).isEqualTo(1);
    }

    @Test
    void jvmAndProcessBindersArePresent() {
        Map<String, PrometheusText.Family> f = PrometheusText.parse(metrics.scrape());
        assertThat(f).containsKeys("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_cpu_usage", "system_cpus", "process_uptime_seconds");
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
