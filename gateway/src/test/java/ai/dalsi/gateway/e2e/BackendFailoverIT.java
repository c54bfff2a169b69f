package ai.dalsi.gateway.e2e;

import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.metrics.MetricsScrapes;
import ai.dalsi.gateway.serve.GatewayNode;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.NodeEnvironment;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two simulated backends behind one model of a real node (real PostgreSQL, real ledger): one is
 * killed while requests are in flight; every request is still answered 200 (those the dead
 * backend had not answered go to the survivor); the dead backend's circuit opens (the metric says
 * so); restarted on its port, it gets requests again after a probe closed its circuit; and the
 * usage rows say which backend answered after how many attempts.
 */
@ExtendWith(FreshDatabaseExtension.class)
class BackendFailoverIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 6;
    private static final int REQUESTS = 240;

    private static SimulatedBackend backend(int port) {
        return SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(port)
                .latency(Duration.ofMillis(40)).timeToFirstToken(Duration.ZERO).tokensPerSecond(0)
                .completionTokens(5).build());
    }

    @Test
    void aKilledBackendsRequestsGoToTheSurvivorItsCircuitOpensAndAfterARestartAProbeBringsItBack(
            TestDatabase db, @TempDir Path dir) throws Exception {
        EdgeSeed seed = new EdgeSeed(db.dsl()).standardCatalog();
        String key = seed.key(KeySpec.chat().withLimits(100_000, 1_000_000, 10_000_000));
        SimulatedBackend a = backend(0);
        boolean aUp = true;
        int portA = a.port();
        try (SimulatedBackend b = backend(0)) {
            String nameA = "http://127.0.0.1:" + portA;
            String nameB = "http://127.0.0.1:" + b.port();
            String models = "{\"" + EdgeSeed.CHAT_MODEL + "\": {\"backends\": [{\"url\": \"" + nameA + "\"}, {\"url\": \""
                    + nameB + "\"}]}}";
            NodeEnvironment env = NodeEnvironment.of(db, b.baseUrl(), dir)
                    .with("GATEWAY_PROXY_MODELS", models)
                    .with("GATEWAY_PROXY_MAX_ATTEMPTS", "2")
                    .with("GATEWAY_PROXY_CIRCUIT_FAILURE_THRESHOLD", "2")
                    .with("GATEWAY_PROXY_CIRCUIT_OPEN_DURATION", "2s")
                    // A connection the dying backend accepted but never served (its event loops stopped
                    // first) stays silent: after 3 s without headers the request goes to the survivor.
                    .with("GATEWAY_PROXY_FIRST_BYTE_TIMEOUT", "3s");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try (GatewayNode node = GatewayNode.start(env.config())) {
                assertThat(state(http, node, nameA, "closed")).isEqualTo(1.0);

                // Load: CLIENTS callers, one request at a time each; A is killed a quarter of the way in.
                ExecutorService callers = Executors.newFixedThreadPool(CLIENTS);
                AtomicInteger sent = new AtomicInteger();
                CountDownLatch quarter = new CountDownLatch(REQUESTS / 4);
                ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    done.add(callers.submit(() -> {
                        while (sent.incrementAndGet() <= REQUESTS) {
                            statuses.add(chat(http, node, key).statusCode());
                            quarter.countDown();
                        }
                        return null;
                    }));
                }
                assertThat(quarter.await(60, TimeUnit.SECONDS)).isTrue();
                long aAnswered = a.stats().totalRequests();
                assertThat(aAnswered).as("A served its share before it died").isPositive();
                a.close();
                aUp = false;
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
                callers.shutdown();
                assertThat(statuses).as("what the clients got").hasSize(REQUESTS).containsOnly(200);

                // A is down: its circuit opened (and stays open or, probing, goes half-open and back).
                Eventually.await("A's circuit reported open", Duration.ofSeconds(10),
                        () -> state(http, node, nameA, "open") == 1.0);
                assertThat(state(http, node, nameB, "closed")).isEqualTo(1.0);

                // A restarted on its port: once the open duration passed, a request probes it, and it is used again.
                a = backend(portA);
                aUp = true;
                SimulatedBackend restarted = a;
                AtomicInteger more = new AtomicInteger();
                Eventually.await("the restarted A answers requests again", Duration.ofSeconds(30), () -> {
                    more.incrementAndGet();
                    assertThat(chat(http, node, key).statusCode()).isEqualTo(200);
                    return restarted.stats().totalRequests() >= 2;
                });
                assertThat(state(http, node, nameA, "closed")).isEqualTo(1.0);

                // Every answer has its row; those that went to B after A failed say so.
                int expected = REQUESTS + more.get();
                Eventually.await("usage rows written", Duration.ofSeconds(15),
                        () -> db.dsl().fetchCount(API_USAGE_LOGS) == expected);
                List<JsonNode> retried = new ArrayList<>();
                for (var json : db.dsl().select(API_USAGE_LOGS.REQUEST_METADATA).from(API_USAGE_LOGS)
                        .fetch(API_USAGE_LOGS.REQUEST_METADATA)) {
                    JsonNode m = JSON.readTree(json.data());
                    assertThat(m.get("attempts").asInt()).isBetween(1, 2);
                    assertThat(m.get("backend").asText()).isIn(nameA, nameB);
                    if (m.get("attempts").asInt() == 2) {
                        retried.add(m);
                    }
                }
                assertThat(retried).as("requests A could not answer were answered by B").isNotEmpty()
                        .allSatisfy(m -> assertThat(m.get("backend").asText()).isEqualTo(nameB));
                assertThat(db.dsl().fetchCount(API_USAGE_LOGS, API_USAGE_LOGS.STATUS_CODE.ne(200))).isZero();
            }
        } finally {
            if (aUp) {
                a.close();
            }
        }
    }

    private static double state(HttpClient http, GatewayNode node, String backend, String state) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        Double v = MetricsScrapes.value(r.body(), "gateway_backend_circuit_state", Map.of("backend", backend, "state", state));
        return v == null ? -1 : v;
    }

    private static HttpResponse<String> chat(HttpClient http, GatewayNode node, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.edgePort() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + EdgeSeed.CHAT_MODEL
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
