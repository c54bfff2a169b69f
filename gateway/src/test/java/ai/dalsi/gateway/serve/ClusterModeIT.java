package ai.dalsi.gateway.serve;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.gateway.testing.NodeEnvironment;
import ai.dalsi.gateway.testing.RedisServerProcess;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three gateway nodes, each the full {@code serve} composition, on one PostgreSQL database and one
 * Redis (a {@code redis-server} the test starts on a free port, so it can kill it): request limits,
 * token limits and monthly budgets are the cluster's, not each node's; they survive a rotation and
 * a Redis outage; catalog changes reach every node within a second. The simulated backend answers
 * as long as {@code max_tokens} allows, so each request settles to exactly its reservation and the
 * overshoot bound is zero.
 */
@ExtendWith({FreshDatabaseExtension.class, NettyLeakExtension.class})
class ClusterModeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Budgets count per UTC month: the nodes' clock stays in the middle of one, whatever the day. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-15T12:00:00Z"), ZoneOffset.UTC);
    private static final int MAX_TOKENS = 20;
    private static final Pattern FALLBACKS = Pattern.compile("(?m)^gateway_ratelimit_fallback_total(?:\\{[^}]*})? (\\S+)$");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<GatewayNode> nodes = new ArrayList<>();
    private RedisServerProcess redis;
    private SimulatedBackend backend;
    private EdgeSeed seed;
    private TestDatabase db;

    @BeforeEach
    void start(TestDatabase db, @TempDir Path dir) {
        this.db = db;
        seed = new EdgeSeed(db.dsl()).standardCatalog();
        redis = RedisServerProcess.start();
        backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0)
                .latency(Duration.ZERO).timeToFirstToken(Duration.ZERO).tokensPerSecond(0)
                // Answers as long as max_tokens allows, so a request uses exactly what it reserved.
                .completionTokens(100_000).build());
        String prefix = "cluster-it:" + UUID.randomUUID() + ":";
        for (int i = 1; i <= 3; i++) {
            nodes.add(GatewayNode.start(NodeEnvironment.of(db, backend.baseUrl(), dir.resolve("node" + i))
                    .with("GATEWAY_RATELIMIT_REDIS_URL", redis.url())
                    .with("GATEWAY_RATELIMIT_REDIS_KEY_PREFIX", prefix)
                    // A loaded two-core test machine: a generous timeout, so that only a dead Redis falls back.
                    .with("GATEWAY_RATELIMIT_REDIS_TIMEOUT", "500ms")
                    .with("GATEWAY_RATELIMIT_REDIS_PROBE_INTERVAL", "200ms")
                    .config(), CLOCK));
        }
        Eventually.await("every node listens for changes", Duration.ofSeconds(10),
                () -> nodes.stream().allMatch(GatewayNode::listeningForKeyChanges));
    }

    @AfterEach
    void stop() {
        nodes.forEach(GatewayNode::close);
        if (backend != null) {
            backend.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aKeyLimitedTo30AMinuteGetsExactly30AnswersOf200AcrossThreeNodes() throws Exception {
        String key = seed.key(KeySpec.chat().withLimits(30, 1000, 10_000));
        Map<Integer, Integer> statuses = roundRobin(key, 90, 6);
        assertThat(statuses).as("90 requests round-robin through 3 nodes").containsOnlyKeys(200, 429)
                .containsEntry(200, 30).containsEntry(429, 60);
        assertThat(fallbacks()).as("every check answered by Redis").isZero();
    }

    @Test
    void aTokenLimitHoldsAcrossThreeNodes() throws Exception {
        // What one request uses (its prompt plus MAX_TOKENS), measured on a key without token limits.
        HttpResponse<String> probe = chat(nodes.get(0), seed.key(KeySpec.chat()));
        assertThat(probe.statusCode()).as(probe.body()).isEqualTo(200);
        long perRequest = JSON.readTree(probe.body()).at("/usage/total_tokens").asLong();
        assertThat(perRequest).isGreaterThan(MAX_TOKENS);

        String key = seed.key(KeySpec.chat().withLimits(100_000, 1_000_000, 10_000_000));
        UUID keyId = seed.keyId(key);
        long limit = 10 * perRequest;
        db.dsl().update(API_KEYS).set(API_KEYS.RATE_LIMIT_TOKENS_PER_MINUTE, limit).where(API_KEYS.ID.eq(keyId))
                .execute();
        List<HttpResponse<String>> answers = roundRobinAnswers(key, 30, 3);
        Map<Integer, Integer> statuses = statuses(answers);
        assertThat(statuses).as("30 requests of " + perRequest + " tokens against " + limit + " a minute")
                .containsOnlyKeys(200, 429).containsEntry(200, 10).containsEntry(429, 20);
        for (HttpResponse<String> r : answers) {
            assertThat(r.headers().firstValue("x-ratelimit-limit-tokens")).hasValue(Long.toString(limit));
            if (r.statusCode() == 429) {
                assertThat(JSON.readTree(r.body()).at("/error/type").asText()).isEqualTo("tokens");
            }
        }
        long served = answers.stream().filter(r -> r.statusCode() == 200).mapToLong(r -> {
            try {
                return JSON.readTree(r.body()).at("/usage/total_tokens").asLong();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).sum();
        assertThat(served).as("tokens served in the minute, three nodes together").isLessThanOrEqualTo(limit);
        assertThat(fallbacks()).as("every check answered by Redis").isZero();
    }

    @Test
    void aMonthlyBudgetHoldsAcrossThreeNodes() throws Exception {
        String key = seed.key(KeySpec.chat().withLimits(100_000, 1_000_000, 10_000_000));
        UUID keyId = seed.keyId(key);
        // $0.001 per 1k input and $0.002 per 1k output tokens: a few tokens of prompt and 100 of
        // answer cost about $0.00021, so $0.001 pays for 4 of them, not 5.
        BigDecimal budget = new BigDecimal("0.001");
        db.dsl().update(API_KEYS).set(API_KEYS.MONTHLY_BUDGET_USD, budget).where(API_KEYS.ID.eq(keyId)).execute();
        List<HttpResponse<String>> answers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<HttpResponse<String>>> fs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                GatewayNode n = nodes.get(i % nodes.size());
                fs.add(pool.submit(() -> chat(n, key, 100)));
            }
            for (Future<HttpResponse<String>> f : fs) {
                answers.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(statuses(answers)).as("12 requests through three nodes against one budget")
                .containsOnlyKeys(200, 429).containsEntry(200, 4).containsEntry(429, 8);
        for (HttpResponse<String> r : answers) {
            if (r.statusCode() == 429) {
                assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("insufficient_quota");
                assertThat(r.headers().firstValue("x-should-retry")).hasValue("false");
            }
        }
        var answered = API_USAGE_LOGS.API_KEY_ID.eq(keyId).and(API_USAGE_LOGS.STATUS_CODE.eq(200));
        Eventually.await("4 answered rows in the ledger", Duration.ofSeconds(15),
                () -> db.dsl().fetchCount(API_USAGE_LOGS, answered) == 4);
        BigDecimal spent = db.dsl().select(DSL.sum(API_USAGE_LOGS.COST_USD)).from(API_USAGE_LOGS).where(answered)
                .fetchOne(0, BigDecimal.class);
        assertThat(spent).as("the ledger's month, three nodes together").isPositive().isLessThanOrEqualTo(budget);
        assertThat(fallbacks()).as("every check answered by Redis").isZero();
    }

    @Test
    void aRotatedKeyContinuesTheOldKeysBuckets() throws Exception {
        String key = seed.key(KeySpec.chat().withLimits(3, 1000, 10_000));
        UUID keyId = seed.keyId(key);
        for (int i = 0; i < 3; i++) {
            assertThat(chat(nodes.get(i), key).statusCode()).isEqualTo(200);
        }
        assertThat(chat(nodes.get(0), key).statusCode()).isEqualTo(429);

        HttpResponse<String> rotated = admin(nodes.get(0), "POST", "/admin/keys/" + keyId + "/rotate", null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
        String fresh = JSON.readTree(rotated.body()).get("key").asText();

        HttpResponse<String> r = chat(nodes.get(1), fresh);
        assertThat(r.statusCode()).as("the new key is still limited: " + r.body()).isEqualTo(429);
        assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
        assertThat(chat(nodes.get(2), fresh).statusCode()).isEqualTo(429);
    }

    @Test
    void aProductDeactivatedThroughNode1IsRefusedByNode3WithinASecond() throws Exception {
        String key = seed.key(KeySpec.chat());
        assertThat(chat(nodes.get(2), key).statusCode()).as("node 3 serves the product").isEqualTo(200);
        UUID product = db.dsl().select(ai.dalsi.persistence.schema.Tables.API_PRODUCTS.ID)
                .from(ai.dalsi.persistence.schema.Tables.API_PRODUCTS)
                .where(ai.dalsi.persistence.schema.Tables.API_PRODUCTS.NAME.eq("ai.chat")).fetchSingle().value1();
        HttpResponse<String> patched = admin(nodes.get(0), "PATCH", "/admin/products/" + product,
                "{\"is_active\":false}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(nodes.get(2).config().edge().catalogRefresh()).as("node 3's poll alone would take this long")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(30));
        Eventually.await("node 3 refuses the deactivated product", Duration.ofSeconds(1),
                () -> chat(nodes.get(2), key).statusCode() == 404);
        assertThat(chat(nodes.get(2), key).statusCode()).isEqualTo(404);
    }

    @Test
    void redisKilledMidLoadNoFiveHundredsFallbackCountedDegradedThenSharedAgain() throws Exception {
        String key = seed.key(KeySpec.chat().withLimits(100_000, 1_000_000, 10_000_000));
        Map<Integer, Integer> before = roundRobin(key, 30, 3);
        assertThat(before).containsOnlyKeys(200);

        ExecutorService load = Executors.newFixedThreadPool(3);
        try {
            Future<Map<Integer, Integer>> during = load.submit(() -> roundRobin(key, 150, 3));
            Thread.sleep(100);
            redis.kill();
            Map<Integer, Integer> statuses = during.get();
            assertThat(statuses.keySet()).as("never a 5xx because of Redis: " + statuses).containsOnly(200);
        } finally {
            load.shutdownNow();
        }
        // Every node meets the dead Redis on its next check at the latest.
        for (GatewayNode n : nodes) {
            assertThat(chat(n, key).statusCode()).isEqualTo(200);
        }
        assertThat(fallbacks()).as("checks answered locally").isPositive();
        for (GatewayNode n : nodes) {
            HttpResponse<String> ready = admin(n, "GET", "/health/ready", null);
            assertThat(ready.statusCode()).as("degraded, not unready: " + ready.body()).isEqualTo(200);
            JsonNode report = JSON.readTree(ready.body());
            assertThat(report.get("status").asText()).isEqualTo("degraded");
            assertThat(report.path("checks").path("rate_limits").path("status").asText()).isEqualTo("degraded");
        }

        redis.startAgain();
        Eventually.await("every node shares its limits again", Duration.ofSeconds(5),
                () -> nodes.stream().allMatch(n -> n.sharedLimiter().usingShared()));
        for (GatewayNode n : nodes) {
            assertThat(JSON.readTree(admin(n, "GET", "/health/ready", null).body()).get("status").asText())
                    .isEqualTo("ready");
        }
        String limited = seed.key(KeySpec.chat().withLimits(3, 1000, 10_000));
        assertThat(roundRobin(limited, 9, 3)).as("shared again: 3 in all, not 3 per node")
                .containsEntry(200, 3).containsEntry(429, 6);
    }

    /** {@code count} chats with {@code key}, request i to node i mod 3, {@code threads} at a time: status to count. */
    private Map<Integer, Integer> roundRobin(String key, int count, int threads) throws Exception {
        return statuses(roundRobinAnswers(key, count, threads));
    }

    /** {@code count} chats with {@code key}, request i to node i mod 3, {@code threads} at a time. */
    private List<HttpResponse<String>> roundRobinAnswers(String key, int count, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<HttpResponse<String>>> results = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                GatewayNode n = nodes.get(i % nodes.size());
                results.add(pool.submit(() -> chat(n, key)));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : results) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<Integer, Integer> statuses(List<HttpResponse<String>> answers) {
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (HttpResponse<String> r : answers) {
            statuses.merge(r.statusCode(), 1, Integer::sum);
        }
        return statuses;
    }

    /** {@code gateway_ratelimit_fallback_total} summed over the three nodes' {@code /metrics}. */
    private double fallbacks() throws Exception {
        double sum = 0;
        for (GatewayNode n : nodes) {
            Matcher m = FALLBACKS.matcher(admin(n, "GET", "/metrics", null).body());
            assertThat(m.find()).as("node exports gateway_ratelimit_fallback_total").isTrue();
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private HttpResponse<String> chat(GatewayNode node, String key) {
        return chat(node, key, MAX_TOKENS);
    }

    private HttpResponse<String> chat(GatewayNode node, String key, int maxTokens) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.edgePort()
                            + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + EdgeSeed.CHAT_MODEL
                            + "\",\"max_tokens\":" + maxTokens
                            + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> admin(GatewayNode node, String method, String path, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
                .header("Authorization", "Bearer " + NodeEnvironment.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
