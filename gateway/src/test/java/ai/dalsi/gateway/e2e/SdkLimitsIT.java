package ai.dalsi.gateway.e2e;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.gateway.proxy.BackendRoutes;
import ai.dalsi.gateway.proxy.BackendTarget;
import ai.dalsi.gateway.proxy.NettyBackendProxy;
import ai.dalsi.gateway.proxy.ProxyConfig;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.NodeSdk;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI Java and Node SDKs, unmodified and with their default retries (2), against
 * token limits and budgets: a token 429 arrives as their rate-limit error ({@code type} tokens)
 * and is retried, as the SDKs retry every 429 that does not say otherwise; an
 * {@code insufficient_quota} 429 arrives as the same error class with code
 * {@code insufficient_quota} and is not retried ({@code x-should-retry: false}): exactly one
 * request reaches the gateway.
 *
 * <p>The edge's time is fake: after the first request it is moved 58 s on, so the token window's
 * {@code retry-after} is about 2 s and the SDKs' waits stay short, while the window stays full.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkLimitsIT {

    private final SimulatedBackend backend;
    private final NettyBackendProxy proxy;
    private final TestEdge edge;
    private final TestDatabase db;

    SdkLimitsIT(TestDatabase db) {
        this.db = db;
        // Answers as long as max_tokens allows: each request uses its whole reservation.
        backend = SimulatedBackend.start(SimulatorConfig.builder().latency(Duration.ZERO)
                .timeToFirstToken(Duration.ZERO).tokensPerSecond(0).completionTokens(100_000).build());
        proxy = new NettyBackendProxy(ProxyConfig.DEFAULTS);
        BackendRoutes routes = BackendRoutes.single(new BackendTarget(backend.baseUrl(), null));
        edge = TestEdge.builder(db).proxy(proxy).backends(routes::groupFor).start();
    }

    @AfterAll
    void stop() {
        clients.forEach(OpenAIClient::close);
        edge.close();
        proxy.close();
        backend.close();
    }

    private String key(Long tokensPerMinute, BigDecimal budget) {
        String key = edge.seed.key(KeySpec.chat());
        db.dsl().update(API_KEYS).set(API_KEYS.RATE_LIMIT_TOKENS_PER_MINUTE, tokensPerMinute)
                .set(API_KEYS.MONTHLY_BUDGET_USD, budget).where(API_KEYS.ID.eq(edge.seed.keyId(key))).execute();
        return key;
    }

    /** Requests of the key that the edge refused with 429. */
    private long refused(String key) {
        UUID id = edge.seed.keyId(key);
        return edge.sink.events().stream().filter(e -> e.apiKeyId().equals(id) && e.statusCode() == 429).count();
    }

    private final List<OpenAIClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

    private OpenAIClient java(String key) {
        OpenAIClient c = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + edge.port() + "/v1").apiKey(key)
                .build();
        clients.add(c);
        return c;
    }

    private static ChatCompletionCreateParams chat(int maxTokens) {
        return ChatCompletionCreateParams.builder().model(CHAT_MODEL).maxCompletionTokens(maxTokens)
                .addUserMessage("Tell me a long story.").build();
    }

    /** A key whose minute window is full: 1000 tokens, 600 and some used, the clock 58 s on. */
    private String fullTokenWindow(OpenAIClient client, String key) {
        client.chat().completions().create(chat(600));
        edge.time.advance(Duration.ofSeconds(58));
        return key;
    }

    @Test
    void javaSdkGetsATokenLimitAsRateLimitExceptionAndRetriesIt() {
        String key = key(1000L, null);
        {
            OpenAIClient client = java(key);
            fullTokenWindow(client, key);
            assertThatThrownBy(() -> client.chat().completions().create(chat(600)))
                    .isInstanceOfSatisfying(RateLimitException.class, e -> {
                        assertThat(e.code()).hasValue("rate_limit_exceeded");
                        assertThat(e.type()).hasValue("tokens");
                        assertThat(e.headers().values("x-ratelimit-limit-tokens")).containsExactly("1000");
                    });
        }
        assertThat(refused(key)).as("the first try and the SDK's two retries").isEqualTo(3);
    }

    @Test
    void javaSdkGetsInsufficientQuotaAsRateLimitExceptionAndDoesNotRetryIt() {
        String key = key(null, BigDecimal.ZERO);
        {
            OpenAIClient client = java(key);
            assertThatThrownBy(() -> client.chat().completions().create(chat(100)))
                    .isInstanceOfSatisfying(RateLimitException.class, e -> {
                        assertThat(e.code()).hasValue("insufficient_quota");
                        assertThat(e.type()).hasValue("insufficient_quota");
                        assertThat(e.headers().values("x-should-retry")).containsExactly("false");
                    });
        }
        assertThat(refused(key)).as("x-should-retry: false, so exactly one request").isEqualTo(1);
    }

    private JsonNode node(String key, int maxTokens) {
        NodeSdk.Result r = NodeSdk.run("sdk-calls.mjs", List.of("chat-error", CHAT_MODEL, Integer.toString(maxTokens)),
                Map.of("OPENAI_BASE_URL", "http://127.0.0.1:" + edge.port() + "/v1", "OPENAI_API_KEY", key),
                Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.json();
    }

    @Test
    void nodeSdkGetsATokenLimitAsRateLimitErrorAndRetriesIt() {
        String key = key(1000L, null);
        {
            OpenAIClient client = java(key);
            fullTokenWindow(client, key);
        }
        JsonNode r = node(key, 600);
        assertThat(r.get("rateLimitError").asBoolean()).as(r.toString()).isTrue();
        assertThat(r.get("status").asInt()).isEqualTo(429);
        assertThat(r.get("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(r.get("type").asText()).isEqualTo("tokens");
        assertThat(refused(key)).as("the first try and the SDK's two retries").isEqualTo(3);
    }

    @Test
    void nodeSdkGetsInsufficientQuotaAsRateLimitErrorAndDoesNotRetryIt() {
        String key = key(null, BigDecimal.ZERO);
        JsonNode r = node(key, 100);
        assertThat(r.get("rateLimitError").asBoolean()).as(r.toString()).isTrue();
        assertThat(r.get("code").asText()).isEqualTo("insufficient_quota");
        assertThat(r.get("type").asText()).isEqualTo("insufficient_quota");
        assertThat(refused(key)).as("x-should-retry: false, so exactly one request").isEqualTo(1);
    }
}
