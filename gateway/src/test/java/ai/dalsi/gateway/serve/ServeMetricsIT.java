package ai.dalsi.gateway.serve;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.metrics.MetricsScrapes;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.gateway.testing.NodeEnvironment;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of a running node (the {@code serve} composition), parsed by the strict
 * Prometheus text parser: the edge's meters, metering's, and the pool, cache, event-loop, allocator
 * and JVM binders the composition root binds, with no key, user id or IP in any label. The scrape is
 * saved for {@code promtool check metrics} in .ci/run.
 */
@ExtendWith({FreshDatabaseExtension.class, NettyLeakExtension.class})
class ServeMetricsIT {

    /** Where the scrape is saved for {@code promtool check metrics} in .ci/run. */
    static final Path SCRAPE = Path.of("target/metrics-scrape-serve.prom");

    @Test
    void metricsOfTheRunningCompositionAreValidAndCarryNoIdentities(TestDatabase db, @TempDir Path dir) throws Exception {
        EdgeSeed seed = new EdgeSeed(db.dsl()).standardCatalog();
        UUID user = seed.user();
        String key = seed.key(user, KeySpec.chat());
        String revoked = seed.key(user, KeySpec.chat());
        seed.revoke(revoked);
        HttpClient http = HttpClient.newHttpClient();
        try (SimulatedBackend backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0)
                .latency(Duration.ZERO).timeToFirstToken(Duration.ZERO).tokensPerSecond(0).build());
             GatewayNode node = GatewayNode.start(NodeEnvironment.of(db, backend.baseUrl(), dir).config())) {
            assertThat(chat(http, node, key).statusCode()).isEqualTo(200);
            assertThat(chat(http, node, revoked).statusCode()).isEqualTo(401);
            assertThat(chat(http, node, "dsk_live_notakey").statusCode()).isEqualTo(401);

            // The revoked key's 401 is metered too: two events; wait until the writer committed them.
            Eventually.await("usage rows written", Duration.ofSeconds(10),
                    () -> db.dsl().fetchCount(ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS) == 2);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.adminPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            String scrape = r.body();
            Files.createDirectories(SCRAPE.getParent());
            Files.writeString(SCRAPE, scrape);

            assertThat(MetricsScrapes.familyNames(scrape)).contains(
                    "gateway_requests_total", "gateway_request_duration_seconds", "gateway_upstream_duration_seconds",
                    "gateway_added_latency_seconds", "gateway_rejections_total",
                    "hikaricp_connections_active", "cache_gets_total", "netty_eventexecutor_tasks_pending",
                    "netty_allocator_memory_used", "jvm_memory_used_bytes", "process_cpu_usage",
                    "metering_queue_depth", "metering_journal_bytes", "metering_journal_max_bytes",
                    "metering_journal_near_full", "metering_oldest_uncommitted_seconds", "metering_accepting",
                    "metering_flush_duration_seconds", "metering_events_written_total", "metering_retries_total",
                    "metering_events_refused_total", "metering_events_rejected_total");
            assertThat(MetricsScrapes.value(scrape, "metering_events_written_total", Map.of())).isEqualTo(2.0);
            assertThat(MetricsScrapes.value(scrape, "metering_queue_depth", Map.of())).isZero();
            assertThat(MetricsScrapes.value(scrape, "metering_accepting", Map.of())).isEqualTo(1.0);
            assertThat(MetricsScrapes.value(scrape, "gateway_requests_total",
                    Map.of("product", "ai.chat", "status", "200", "tier", "free"))).isEqualTo(1.0);
            assertThat(MetricsScrapes.value(scrape, "gateway_rejections_total", Map.of("reason", "api_key_revoked")))
                    .isEqualTo(1.0);
            assertThat(MetricsScrapes.value(scrape, "cache_gets_total", Map.of("cache", "api_keys", "result", "miss")))
                    .as("the edge's key cache is bound").isGreaterThanOrEqualTo(2.0);

            List<String> forbidden = List.of(key, key.substring(0, 12), revoked.substring(0, 12), user.toString(),
                    seed.keyId(key).toString(), "127.0.0.1", "::1", NodeEnvironment.ADMIN_TOKEN);
            // A backend is named by its configured base URL (here on 127.0.0.1, like the client): that is
            // configuration, few values, and what ops need to see which backend is down; never a client's.
            String backendName = "http://127.0.0.1:" + backend.port();
            assertThat(MetricsScrapes.value(scrape, "gateway_backend_circuit_state",
                    Map.of("backend", backendName, "state", "closed"))).isEqualTo(1.0);
            MetricsScrapes.labelsByFamily(scrape).forEach((family, samples) -> samples.forEach(labels ->
                    labels.forEach((name, value) -> assertThat(value)
                            .as("label %s of %s", name, family)
                            .satisfies(v -> forbidden.forEach(f -> assertThat(
                                    family.equals("gateway_backend_circuit_state") && name.equals("backend")
                                            ? v.replace(backendName, "") : v).doesNotContain(f))))));
        }
    }

    private static HttpResponse<String> chat(HttpClient http, GatewayNode node, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.edgePort() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + EdgeSeed.CHAT_MODEL
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
