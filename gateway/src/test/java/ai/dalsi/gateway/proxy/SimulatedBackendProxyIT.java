package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.metering.TokenUsage;
import ai.dalsi.persistence.testing.Eventually;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Happy paths through the proxy against the simulated OpenAI-compatible backend, with the edge
 * stand-in adding {@code stream_options.include_usage} to streams as the edge does.
 */
@ExtendWith(NettyLeakExtension.class)
class SimulatedBackendProxyIT {

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private SimulatedBackend simulator;
    private ProxyHarness harness;

    @BeforeEach
    void setUp() throws Exception {
        simulator = SimulatedBackend.start(SimulatorConfig.builder()
                .latency(Duration.ZERO).timeToFirstToken(Duration.ZERO).tokensPerSecond(0).completionTokens(20)
                .imageLatency(Duration.ZERO).build());
        harness = new ProxyHarness(ProxyConfig.DEFAULTS, new BackendTarget(simulator.baseUrl(), "upstream-key"),
                ProxyHarness.Transport.EPOLL);
        harness.askForStreamUsage = true;
    }

    @AfterEach
    void tearDown() {
        harness.close();
        simulator.close();
        client.close();
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(harness.uri(path))
                .header("Authorization", "Bearer dsk_live_clientkey")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static TokenUsage usageOf(JsonNode usage) {
        return TokenUsage.reported(usage.path("prompt_tokens").asInt(), usage.path("completion_tokens").asInt(), 0);
    }

    @Test
    void chatCompletionUsageIsTheOneTheClientSees() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions",
                "{\"model\":\"dalsi-ai\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = mapper.readTree(r.body());
        ProxyOutcome outcome = harness.listener.only();
        assertThat(outcome.usage()).isEqualTo(usageOf(body.get("usage")));
        assertThat(outcome.usage().completionTokens()).isEqualTo(20);
        assertThat(outcome.responseBytes()).isEqualTo(r.body().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void aStreamTheClientDidNotAskUsageForIsBilledWithoutShowingTheUsageChunk() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions",
                "{\"model\":\"dalsi-ai\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("\"prompt_tokens\"").endsWith("data: [DONE]\n\n");
        assertThat(simulator.stats().lastRequest().orElseThrow().toString()).contains("includeUsage=true");
        TokenUsage usage = harness.listener.only().usage();
        assertThat(usage).isNotNull();
        assertThat(usage.completionTokens()).isEqualTo(20);
    }

    @Test
    void aStreamTheClientAskedUsageForShowsTheSameUsageThatIsBilled() throws Exception {
        HttpResponse<String> r = post("/v1/completions",
                "{\"model\":\"dalsi-ai\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"prompt\":\"Once\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode usageChunk = null;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: {") && line.contains("\"usage\":{")) {
                usageChunk = mapper.readTree(line.substring(6));
            }
        }
        assertThat(usageChunk).as("usage chunk passed to the client").isNotNull();
        assertThat(harness.listener.only().usage()).isEqualTo(usageOf(usageChunk.get("usage")));
    }

    @Test
    void imagesAreCountedWithTheirTokens() throws Exception {
        harness.kind = ai.dalsi.metering.ProductKind.IMAGE;
        HttpResponse<String> r = post("/v1/images/generations",
                "{\"model\":\"dalsi-aivi\",\"prompt\":\"a cat\",\"n\":2,\"response_format\":\"b64_json\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode usage = mapper.readTree(r.body()).get("usage");
        TokenUsage billed = harness.listener.only().usage();
        assertThat(billed.images()).isEqualTo(2);
        assertThat(billed.promptTokens()).isEqualTo(usage.get("input_tokens").asInt());
        assertThat(billed.completionTokens()).isEqualTo(usage.get("output_tokens").asInt());
    }

    @Test
    void theModelListPassesThrough() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(harness.uri("/v1/models")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("dalsi-ai").contains("dalsi-aivi");
        assertThat(harness.listener.only().status()).isEqualTo(200);
    }

    @Test
    void aStreamTheBackendBreaksClosesTheClientAndIsReported() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(harness.uri("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .header("x-sim-abort-after-tokens", "3")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"dalsi-ai\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (InputStream in = r.body()) {
            in.readAllBytes();
        } catch (IOException expected) {
            // The response was cut: the client connection was closed before its end.
        }
        Eventually.await("outcome reported", () -> harness.listener.outcomes.size() == 1);
        ProxyOutcome outcome = harness.listener.only();
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.errorMessage()).contains("mid-response");
        assertThat(outcome.usage()).isNull();
    }
}
