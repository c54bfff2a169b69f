package ai.dalsi.gateway.e2e;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.IMAGE_MODEL;
import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;
import static ai.dalsi.persistence.schema.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Token limits, monthly budgets and the tier from the user's subscription on a real node (real
 * ledger, real PostgreSQL) in front of the simulated backend, whose usage is the tokenizer's count,
 * so a reservation (the prompt counted as the backend counts it, plus {@code max_tokens}) equals
 * the settled usage and the documented overshoot bound is zero. The node's clock is fixed in the
 * middle of a month: budgets count per UTC month.
 *
 * <p>Prices: {@value EdgeSeed#CHAT_MODEL} costs $0.001 per 1k input and $0.002 per 1k output tokens.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenLimitsAndBudgetsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-03-15T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Instant MONTH_START = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant MONTH_END = Instant.parse("2026-04-01T00:00:00Z");

    private final TestDatabase db;
    private final SimulatedBackend backend;
    private final EdgeSeed seed;
    private final List<Path> journals = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private GatewayNode node;

    TokenLimitsAndBudgetsIT(TestDatabase db) throws Exception {
        this.db = db;
        this.seed = new EdgeSeed(db.dsl()).standardCatalog();
        // Answers as long as max_tokens allows: the worst case is what each request uses.
        this.backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0).latency(Duration.ZERO)
                .timeToFirstToken(Duration.ZERO).tokensPerSecond(0).completionTokens(100_000)
                .imageLatency(Duration.ZERO).build());
        this.node = startNode();
    }

    private GatewayNode startNode() throws Exception {
        Path journal = Files.createTempDirectory("budgets");
        journals.add(journal);
        return GatewayNode.start(NodeEnvironment.of(db, backend.baseUrl(), journal).config(), CLOCK);
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
        backend.close();
        for (Path journal : journals) {
            try (var files = Files.walk(journal)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private HttpResponse<String> chat(String key, int maxTokens) throws Exception {
        String body = "{\"model\":\"" + CHAT_MODEL + "\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a long story.\"}]}";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.edgePort() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).get("error");
    }

    private static long totalTokens(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).at("/usage/total_tokens").asLong();
    }

    private UUID keyId(String key) {
        return seed.keyId(key);
    }

    /** The ledger's sum of cost for these keys this month, once it holds {@code rows} answered rows. */
    private BigDecimal ledgerSpend(int rows, UUID... keys) {
        var whose = API_USAGE_LOGS.API_KEY_ID.in(keys).and(API_USAGE_LOGS.STATUS_CODE.eq(200));
        Eventually.await(rows + " rows in the ledger", Duration.ofSeconds(15),
                () -> db.dsl().fetchCount(API_USAGE_LOGS, whose) == rows);
        BigDecimal sum = db.dsl().select(DSL.sum(API_USAGE_LOGS.COST_USD)).from(API_USAGE_LOGS).where(whose)
                .and(API_USAGE_LOGS.CREATED_AT.ge(MONTH_START)).and(API_USAGE_LOGS.CREATED_AT.lt(MONTH_END))
                .fetchOne(0, BigDecimal.class);
        return sum == null ? BigDecimal.ZERO : sum;
    }

    @Test
    void aTokenLimitRefusesTheFirstRequestWhoseReservationDoesNotFit() throws Exception {
        String key = seed.key(KeySpec.chat());
        db.dsl().update(API_KEYS).set(API_KEYS.RATE_LIMIT_TOKENS_PER_MINUTE, 1000L).where(API_KEYS.ID.eq(keyId(key)))
                .execute();
        long served = 0;
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = chat(key, 290);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("1000");
            served += totalTokens(r);
        }
        assertThat(served).as("three requests of about 300 tokens").isBetween(870L, 1000L);
        HttpResponse<String> fourth = chat(key, 290);
        assertThat(fourth.statusCode()).isEqualTo(429);
        JsonNode err = error(fourth);
        assertThat(err.get("type").asText()).isEqualTo("tokens");
        assertThat(err.get("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(err.get("message").asText()).contains("tokens per min (TPM): Limit 1000, Used " + served,
                "Requested " + (served / 3));
        assertThat(fourth.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("1000");
        assertThat(fourth.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue(Long.toString(1000 - served));
        assertThat(fourth.headers().firstValue("x-ratelimit-reset-tokens").orElseThrow()).matches("(\\d+m)?\\d+(\\.\\d+)?s");
        assertThat(fourth.headers().firstValue("retry-after")).isPresent();
        assertThat(fourth.headers().firstValue("retry-after-ms")).isPresent();
        assertThat(fourth.headers().firstValue("x-ratelimit-limit-requests")).as("request headers as before").isPresent();
        assertThat(served).as("tokens served in the minute: within the limit (the bound is 0 here)").isLessThanOrEqualTo(1000);
    }

    @Test
    void aKeyBudgetHoldsAndARestartedNodeRefusesTheSameWay() throws Exception {
        String key = seed.key(KeySpec.chat());
        BigDecimal budget = new BigDecimal("0.001");
        db.dsl().update(API_KEYS).set(API_KEYS.MONTHLY_BUDGET_USD, budget).where(API_KEYS.ID.eq(keyId(key))).execute();
        int admitted = 0;
        HttpResponse<String> r;
        while ((r = chat(key, 100)).statusCode() == 200) {
            admitted++;
            assertThat(admitted).as("the budget must stop it").isLessThan(10);
        }
        assertThat(admitted).as("about $0.00021 each against $0.001").isEqualTo(4);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("x-should-retry")).hasValue("false");
        JsonNode err = error(r);
        assertThat(err.get("type").asText()).isEqualTo("insufficient_quota");
        assertThat(err.get("code").asText()).isEqualTo("insufficient_quota");
        assertThat(err.get("message").asText()).contains("This API key's monthly budget is $0.001");
        BigDecimal spent = ledgerSpend(admitted, keyId(key));
        assertThat(spent).as("the ledger's month within the budget").isPositive().isLessThanOrEqualTo(budget);

        // A new node on the same database starts the month from the rollups.
        node.close();
        node = startNode();
        HttpResponse<String> again = chat(key, 100);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(429);
        assertThat(error(again).get("code").asText()).isEqualTo("insufficient_quota");
        HttpResponse<String> small = chat(key, 1);
        assertThat(small.statusCode()).as("a request that still fits is served").isEqualTo(200);
        assertThat(ledgerSpend(admitted + 1, keyId(key))).isLessThanOrEqualTo(budget);
    }

    @Test
    void aUserBudgetSpansTheUsersKeys() throws Exception {
        UUID user = seed.user();
        BigDecimal budget = new BigDecimal("0.001");
        db.dsl().update(USERS).set(USERS.MONTHLY_BUDGET_USD, budget).where(USERS.ID.eq(user)).execute();
        String a = seed.key(user, KeySpec.chat());
        String b = seed.key(user, KeySpec.chat());
        int admitted = 0;
        HttpResponse<String> r;
        while ((r = chat(admitted % 2 == 0 ? a : b, 100)).statusCode() == 200) {
            admitted++;
            assertThat(admitted).isLessThan(10);
        }
        assertThat(admitted).isEqualTo(4);
        assertThat(r.headers().firstValue("x-should-retry")).hasValue("false");
        assertThat(error(r).get("message").asText()).contains("Your account's monthly budget is $0.001");
        assertThat(ledgerSpend(admitted, keyId(a), keyId(b))).isPositive().isLessThanOrEqualTo(budget);
    }

    @Test
    void anActiveProSubscriptionLiftsAFreeKeyUntilItIsCancelled() throws Exception {
        UUID user = seed.user();
        String key = seed.key(user, KeySpec.chat());
        UUID sub = db.dsl().resultQuery("insert into user_subscriptions (user_id, tier, status, current_period_start,"
                + " current_period_end) values (?, 'pro', 'active', ?::timestamptz, ?::timestamptz) returning id", user,
                MONTH_START.toString(), MONTH_END.toString()).fetchOne(0, UUID.class);
        URI images = URI.create("http://127.0.0.1:" + node.edgePort() + "/v1/images/generations");
        HttpRequest request = HttpRequest.newBuilder(images).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + IMAGE_MODEL + "\",\"prompt\":\"a cat\"}"))
                .build();
        HttpResponse<String> pro = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(pro.statusCode()).as("the pro product, with a free key: " + pro.body()).isEqualTo(200);

        db.dsl().execute("update user_subscriptions set status = 'cancelled', cancelled_at = now(), updated_at = now()"
                + " where id = ?", sub);
        Eventually.await("refused within a second of the cancellation", Duration.ofSeconds(1),
                () -> http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 403);
        HttpResponse<String> free = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(error(free).get("code").asText()).isEqualTo("subscription_required");
    }
}
