package ai.dalsi.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.config.AdminConfig;
import ai.dalsi.gateway.health.HealthChecks;
import ai.dalsi.gateway.metrics.GatewayMetrics;
import ai.dalsi.gateway.metrics.MetricsScrapes;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** /metrics, /health/live and /health/ready on a real admin port. */
@ExtendWith(FreshDatabaseExtension.class)
class OpsEndpointsIT {

    /** Where the scrape is saved for {@code promtool check metrics} in .ci/run. */
    static final Path SCRAPE = Path.of("target/metrics-scrape.prom");

    @Test
    void metricsAreValidPrometheusTextWithEveryBinder(TestDatabase db) throws IOException {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (AdminFixture f = new AdminFixture(db)) {
            GatewayMetrics m = f.metrics;
            m.bindDatabasePool(db.database().pool());
            Cache<String, String> keys = Caffeine.newBuilder().maximumSize(10).recordStats().build();
            m.bindCache("api_keys", keys);
            keys.put("a", "b");
            keys.getIfPresent("a");
            keys.getIfPresent("missing");
            m.bindEventLoops(loops);
            m.bindAllocator(PooledByteBufAllocator.DEFAULT);
            m.edgeMetrics().requestCompleted("ai.chat", 200, "pro", 5_000_000, 4_000_000);
            f.token.get("/admin/products");

            AdminHttp.Response r = f.anonymous.get("/metrics");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            Files.createDirectories(SCRAPE.getParent());
            Files.writeString(SCRAPE, r.text());

            Set<String> families = MetricsScrapes.familyNames(r.text());
            assertThat(families).contains("gateway_requests_total", "gateway_request_duration_seconds",
                    "gateway_upstream_duration_seconds", "gateway_added_latency_seconds", "gateway_rejections_total",
                    "hikaricp_connections_active", "hikaricp_connections_max", "hikaricp_connections_pending",
                    "cache_gets_total", "cache_size", "netty_eventexecutor_tasks_pending",
                    "netty_allocator_memory_used", "jvm_memory_used_bytes", "system_cpus",
                    "jvm_threads_live_threads", "process_cpu_usage");
            assertThat(r.text()).contains("cache=\"api_keys\"");
            assertThat(r.text()).as("no secrets or keys in tags").doesNotContain(AdminFixture.TOKEN)
                    .doesNotContain("dsk_live_").doesNotContain("127.0.0.1");
        } finally {
            loops.shutdownGracefully().syncUninterruptibly();
        }
    }

    @Test
    void liveIsAlways200(TestDatabase db) {
        try (AdminFixture f = new AdminFixture(db)) {
            AdminHttp.Response r = f.anonymous.get("/health/live");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("status").asText()).isEqualTo("live");
        }
    }

    @Test
    void readyFollowsTheRequiredChecksAndReportsTheOthers(TestDatabase db) throws IOException {
        AtomicBoolean edgeBound = new AtomicBoolean(false);
        AtomicBoolean meteringAccepting = new AtomicBoolean(true);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (ServerSocket backend = new ServerSocket(0);
             AdminFixture f = new AdminFixture(db, Clock.systemUTC(), AdminConfig.onPort(0), List.of(
                     HealthChecks.flag("edge", true, edgeBound::get, "public port bound", "public port not bound"),
                     HealthChecks.flag("metering", true, meteringAccepting::get, "accepting", "not accepting"),
                     HealthChecks.tcp("backend", "127.0.0.1", backend.getLocalPort(), false),
                     HealthChecks.tcp("backend_down", "127.0.0.1", closedPort, false)))) {
            AdminHttp.Response notYet = f.anonymous.get("/health/ready");
            assertThat(notYet.status()).isEqualTo(503);
            assertThat(notYet.json().get("status").asText()).isEqualTo("not_ready");
            assertThat(notYet.json().get("checks").get("edge").get("status").asText()).isEqualTo("down");

            edgeBound.set(true);
            AdminHttp.Response ready = f.anonymous.get("/health/ready");
            assertThat(ready.status()).as(ready.text()).isEqualTo(200);
            JsonNode checks = ready.json().get("checks");
            assertThat(checks.get("database").get("status").asText()).isEqualTo("up");
            assertThat(checks.get("database").get("detail").asText()).startsWith("SELECT 1 in ");
            assertThat(checks.get("backend").get("status").asText()).isEqualTo("up");
            assertThat(checks.get("backend_down").get("status").asText()).as("reported, not required").isEqualTo("down");
            assertThat(checks.get("backend_down").get("detail").asText()).contains("cannot connect to 127.0.0.1:"
                    + closedPort);

            meteringAccepting.set(false);
            AdminHttp.Response draining = f.anonymous.get("/health/ready");
            assertThat(draining.status()).isEqualTo(503);
            assertThat(draining.json().get("checks").get("metering").get("detail").asText()).isEqualTo("not accepting");
        }
    }
}
