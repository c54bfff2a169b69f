package ai.dalsi.gateway.e2e;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.CODE_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.IMAGE_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.PREMIUM_MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.gateway.proxy.BackendRoutes;
import ai.dalsi.gateway.proxy.BackendTarget;
import ai.dalsi.gateway.proxy.NettyBackendProxy;
import ai.dalsi.gateway.proxy.ProxyConfig;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import com.openai.models.models.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI Java SDK, unmodified, pointed at the gateway (real edge, real proxy,
 * simulated backend): what a developer's existing code does must work, and the gateway's refusals
 * must arrive as the SDK's typed exceptions.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkIT {

    private final SimulatedBackend backend;
    private final NettyBackendProxy proxy;
    private final TestEdge edge;
    private final List<OpenAIClient> clients = new ArrayList<>();

    OpenAiSdkIT(TestDatabase db) {
        backend = SimulatedBackend.start(SimulatorConfig.builder().latency(Duration.ZERO)
                .timeToFirstToken(Duration.ZERO).tokensPerSecond(0).completionTokens(6).imageLatency(Duration.ZERO).build());
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

    private OpenAIClient client(String key) {
        OpenAIClient c = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + edge.port() + "/v1")
                .apiKey(key)
                .maxRetries(0)
                .build();
        clients.add(c);
        return c;
    }

    private static ChatCompletionCreateParams.Builder chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Say hello, please.");
    }

    @Test
    void chat() {
        String key = edge.seed.key(KeySpec.chat());
        ChatCompletion completion = client(key).chat().completions().create(chat(CHAT_MODEL).build());
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(6);
        UsageEvent e = edge.sink.events().stream().filter(x -> x.apiKeyId().equals(edge.seed.keyId(key)))
                .findFirst().orElseThrow();
        assertThat(e.usage().completionTokens()).isEqualTo(6);
    }

    @Test
    void streamingChat() {
        String key = edge.seed.key(KeySpec.chat());
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream =
                     client(key).chat().completions().createStreaming(chat(CHAT_MODEL).build())) {
            stream.stream().forEach(chunks::add);
        }
        assertThat(chunks).isNotEmpty().allSatisfy(c -> assertThat(c.usage()).isEmpty());
        String text = chunks.stream().flatMap(c -> c.choices().stream())
                .map(ch -> ch.delta().content().orElse("")).reduce("", String::concat);
        assertThat(text).isNotBlank();
        UsageEvent e = edge.sink.events().stream().filter(x -> x.apiKeyId().equals(edge.seed.keyId(key)))
                .findFirst().orElseThrow();
        assertThat(e.stream()).isTrue();
        assertThat(e.usage().completionTokens()).isEqualTo(6);
        assertThat(e.usage().estimated()).isFalse();
    }

    @Test
    void completions() {
        String key = edge.seed.key(KeySpec.chat());
        Completion completion = client(key).completions().create(CompletionCreateParams.builder()
                .model(CODE_MODEL).prompt("def fibonacci(n):").maxTokens(5).build());
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(5);
    }

    @Test
    void images() {
        String key = edge.seed.key(KeySpec.chat().withTier("pro"));
        ImagesResponse images = client(key).images().generate(ImageGenerateParams.builder()
                .model(IMAGE_MODEL).prompt("a lighthouse").n(1).build());
        assertThat(images.data().orElseThrow()).hasSize(1);
    }

    @Test
    void modelListing() {
        String key = edge.seed.key(KeySpec.chat());
        List<String> ids = client(key).models().list().data().stream().map(Model::id).toList();
        assertThat(ids).contains(CHAT_MODEL, CODE_MODEL).doesNotContain(PREMIUM_MODEL);
    }

    @Test
    void unauthorized() {
        String key = edge.seed.key(KeySpec.chat());
        edge.seed.revoke(key);
        assertThatThrownBy(() -> client(key).chat().completions().create(chat(CHAT_MODEL).build()))
                .isInstanceOfSatisfying(UnauthorizedException.class,
                        e -> assertThat(e.code()).hasValue("api_key_revoked"));
        assertThatThrownBy(() -> client("dsk_live_not-a-key").models().list())
                .isInstanceOfSatisfying(UnauthorizedException.class,
                        e -> assertThat(e.code()).hasValue("invalid_api_key"));
    }

    @Test
    void permissionDenied() {
        String key = edge.seed.key(KeySpec.scopes("ai.code"));
        assertThatThrownBy(() -> client(key).chat().completions().create(chat(CHAT_MODEL).build()))
                .isInstanceOfSatisfying(PermissionDeniedException.class,
                        e -> assertThat(e.code()).hasValue("insufficient_scope"));
    }

    @Test
    void rateLimited() {
        String key = edge.seed.key(KeySpec.chat().withLimits(1, 100, 1000));
        OpenAIClient client = client(key);
        client.chat().completions().create(chat(CHAT_MODEL).build());
        assertThatThrownBy(() -> client.chat().completions().create(chat(CHAT_MODEL).build()))
                .isInstanceOfSatisfying(RateLimitException.class, e -> {
                    assertThat(e.code()).hasValue("rate_limit_exceeded");
                    assertThat(e.headers().values("retry-after")).containsExactly("60");
                });
    }
}
