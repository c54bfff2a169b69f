package ai.dalsi.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.config.ConfigLoader;
import ai.dalsi.gateway.webhooks.Webhooks;
import ai.dalsi.metering.MeteringMetrics;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shipped Grafana dashboard and Prometheus config stay in step with what the registry exports:
 * every metric a panel queries must exist in a scrape of a fully bound {@link GatewayMetrics}.
 * Also writes every panel query as a Prometheus rules file, which .ci/run gives to
 * {@code promtool check rules} to check the PromQL syntax, and a promtool unit test that evaluates
 * the error-ratio panel's query ({@code promtool test rules}).
 */
@ExtendWith(FreshDatabaseExtension.class)
class OpsFilesIT {

    static final Path DASHBOARD = Path.of("../ops/grafana/gateway-dashboard.json");
    static final Path PROMETHEUS = Path.of("../ops/prometheus/prometheus.yml");
    static final Path RULES = Path.of("target/dashboard-queries.rules.yml");
    static final Path RULES_TEST = Path.of("target/dashboard-queries.test.yml");

    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:gateway|metering|hikaricp|jvm|process|system|cache|netty)_[a-zA-Z0-9_]+)\\b");

    @Test
    void everyPanelQueriesOnlyExportedMetrics(TestDatabase db) throws IOException {
        Set<String> exported = exportedSeriesNames(db);
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.get("uid").asText()).isEqualTo("dalsi-gateway");
        assertThat(dashboard.get("schemaVersion").asInt()).isGreaterThanOrEqualTo(30);

        Map<String, String> exprs = new LinkedHashMap<>();
        Set<Integer> ids = new HashSet<>();
        Set<String> missing = new TreeSet<>();
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("unique panel id").isTrue();
            assertThat(panel.get("gridPos").get("w").asInt()).isBetween(1, 24);
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText();
                exprs.put("dashboard:panel_" + panel.get("id").asInt() + "_" + target.get("refId").asText(), expr);
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    used.add(m.group(1));
                    if (!exported.contains(m.group(1))) {
                        missing.add(m.group(1) + " (panel \"" + panel.get("title").asText() + "\")");
                    }
                }
            }
        }
        assertThat(missing).as("queried by the dashboard but not exported").isEmpty();
        assertThat(used).as("the dashboard covers the issue's panels").contains("gateway_requests_total",
                "gateway_added_latency_seconds_bucket", "gateway_upstream_duration_seconds_bucket",
                "gateway_rejections_total", "metering_oldest_uncommitted_seconds", "metering_journal_bytes",
                "hikaricp_connections_active", "gateway_webhook_attempts_total", "gateway_webhook_deliveries_total",
                "gateway_webhook_queue_depth", "gateway_webhook_oldest_pending_seconds",
                "gateway_webhook_overdue_seconds", "gateway_feature_flags_enabled", "gateway_maintenance");
        // A ratio of two sums is "no data" while its numerator has no series (a node that never
        // answered a 5xx) or its denominator is 0; the error ratio falls back to 0 instead, which
        // the promtool test written below checks by evaluating it.
        JsonNode errorRatio = panel(dashboard, "Error ratio (5xx share of responses)");
        assertThat(errorRatio.get("targets")).hasSize(1);
        assertThat(errorRatio.get("targets").get(0).get("expr").asText()).endsWith(" or vector(0)");
        writeRules(exprs);
    }

    @Test
    void prometheusScrapesTheAdminPortsMetrics() throws IOException {
        JsonNode config = new YAMLMapper().readTree(PROMETHEUS.toFile());
        JsonNode job = config.get("scrape_configs").get(0);
        assertThat(job.get("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(job.get("static_configs").get(0).get("targets").get(0).asText()).endsWith(":8081");
    }

    /** Family names and their histogram/summary series names, from a scrape with every binder. */
    static Set<String> exportedSeriesNames(TestDatabase db) {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (GatewayMetrics metrics = new GatewayMetrics();
                ai.dalsi.gateway.proxy.NettyBackendProxy proxy =
                        new ai.dalsi.gateway.proxy.NettyBackendProxy(ai.dalsi.gateway.proxy.ProxyConfig.DEFAULTS)) {
            proxy.health().track(java.util.List.of(new ai.dalsi.gateway.proxy.BackendTarget(
                    java.net.URI.create("http://backend.internal:9000"), null)));
            metrics.bindBackends(proxy.health());
            metrics.bindDatabasePool(db.database().pool());
            metrics.bindCache("api_keys", Caffeine.newBuilder().recordStats().build());
            metrics.bindEventLoops(loops);
            metrics.bindAllocator(PooledByteBufAllocator.DEFAULT);
            metrics.edgeMetrics().requestCompleted("ai.chat", 200, "free", 1, 1);
            metrics.meteringMetrics().bind(new IdleLedgerGauges());
            metrics.meteringMetrics().flushed(10, 10, Duration.ofMillis(3));
            metrics.bindReadiness(() -> true);
            metrics.bindFlags(() -> ai.dalsi.gateway.flags.FeatureFlags.NONE);
            Set<String> names = new HashSet<>();
            try (Webhooks webhooks = Webhooks.start(ConfigLoader.load(null, Map.of()).webhooks(), db.dsl(),
                    metrics.registry(), Clock.systemUTC())) {
                for (PrometheusText.Family f : PrometheusText.parse(metrics.scrape()).values()) {
                    names.add(f.name());
                    f.samples().forEach(s -> names.add(s.name()));
                }
            }
            return names;
        } finally {
            loops.shutdownGracefully().syncUninterruptibly();
        }
    }

    /** A ledger with nothing waiting. */
    static final class IdleLedgerGauges implements MeteringMetrics.MeteringGauges {
        @Override
        public long queueDepth() {
            return 0;
        }

        @Override
        public long journalBytes() {
            return 0;
        }

        @Override
        public long journalMaxBytes() {
            return 1 << 30;
        }

        @Override
        public boolean journalNearFull() {
            return false;
        }

        @Override
        public Duration oldestUncommittedAge() {
            return Duration.ZERO;
        }

        @Override
        public boolean accepting() {
            return true;
        }
    }

    private static JsonNode panel(JsonNode dashboard, String title) {
        for (JsonNode p : dashboard.get("panels")) {
            if (p.get("title").asText().equals(title)) {
                return p;
            }
        }
        throw new AssertionError("no panel \"" + title + "\"");
    }

    /**
     * A promtool unit test of the error-ratio panel's query (recorded as {@code dashboard:panel_4_A}):
     * 0 on a node that answers only 2xx and on a node without traffic, 0.25 when a quarter of the
     * answers are 5xx. .ci/run runs it with {@code promtool test rules}.
     */
    private static void writeRulesTest() throws IOException {
        Files.writeString(RULES_TEST, "rule_files:\n  - dashboard-queries.rules.yml\nevaluation_interval: 1m\ntests:\n"
                + errorRatioCase("ok:8081", "0+150x40", null, "0")
                + errorRatioCase("idle:8081", "7x40", null, "0")
                + errorRatioCase("bad:8081", "0+150x40", "0+50x40", "0.25"));
    }

    /** One promtool test: a node's 200s (and 502s, if any) over ten minutes, and the ratio expected at 5m. */
    private static String errorRatioCase(String instance, String ok, String errors, String expected) {
        String series = "gateway_requests_total{instance=\"" + instance + "\",product=\"ai.chat\",status=\"%s\",tier=\"free\"}";
        StringBuilder yaml = new StringBuilder("  - interval: 15s\n    input_series:\n");
        yaml.append("      - series: '").append(series.formatted("200")).append("'\n        values: '").append(ok)
                .append("'\n");
        if (errors != null) {
            yaml.append("      - series: '").append(series.formatted("502")).append("'\n        values: '")
                    .append(errors).append("'\n");
        }
        return yaml.append("""
                    promql_expr_test:
                      - expr: dashboard:panel_4_A
                        eval_time: 5m
                        exp_samples:
                          - labels: '{__name__="dashboard:panel_4_A"}'
                            value: %s
                """.formatted(expected)).toString();
    }

    private static void writeRules(Map<String, String> exprs) throws IOException {
        StringBuilder yaml = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        for (Map.Entry<String, String> e : exprs.entrySet()) {
            String expr = e.getValue().replace("$__rate_interval", "1m").replace("$instance", ".*");
            yaml.append("      - record: ").append(e.getKey()).append('\n')
                    .append("        expr: '").append(expr.replace("'", "''")).append("'\n");
        }
        Files.createDirectories(RULES.getParent());
        Files.writeString(RULES, yaml.toString());
        writeRulesTest();
    }
}
