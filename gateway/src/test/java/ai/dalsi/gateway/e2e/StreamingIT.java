package ai.dalsi.gateway.e2e;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.Responses.json;
import static ai.dalsi.gateway.testing.Responses.requestId;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.proxy.BackendRoutes;
import ai.dalsi.gateway.proxy.BackendTarget;
import ai.dalsi.gateway.proxy.HeaderAllowlist;
import ai.dalsi.gateway.proxy.NettyBackendProxy;
import ai.dalsi.gateway.proxy.ProxyConfig;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real edge, the real proxy and the simulated backend: plain and streamed completions,
 * usage captured with and without the client asking for it, and a client that goes away
 * mid-stream.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingIT {

    private final SimulatedBackend backend;
    private final NettyBackendProxy proxy;
    private final TestEdge edge;
    private final String key;

    StreamingIT(TestDatabase db) {
        backend = SimulatedBackend.start(SimulatorConfig.builder().latency(Duration.ZERO)
                .timeToFirstToken(Duration.ZERO).tokensPerSecond(0).completionTokens(8).build());
        proxy = new NettyBackendProxy(ProxyConfig.DEFAULTS);
        // The simulator's x-sim-* headers shape its answers: let them through, as the demo does.
        BackendRoutes routes = BackendRoutes.single(BackendGroup.single(new BackendTarget(backend.baseUrl(), "upstream-secret"))
                .withForwardHeaders(HeaderAllowlist.DEFAULT.with(List.of("x-sim-*"))));
        edge = TestEdge.builder(db).proxy(proxy).backends(routes::groupFor).start();
        key = edge.seed.key(KeySpec.chat());
    }

    @AfterAll
    void stop() {
        edge.close();
        proxy.close();
        backend.close();
        assertThat(edge.sql.violations()).as("SQL run on an event loop").isEmpty();
    }

    private static String chatBody(boolean stream, Boolean includeUsage) {
        String options = includeUsage == null ? "" : ",\"stream_options\":{\"include_usage\":" + includeUsage + "}";
        return "{\"model\":\"" + CHAT_MODEL + "\",\"stream\":" + stream + options
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the people of Brno, please.\"}]}";
    }

    /** The JSON of each {@code data:} line, and whether {@code [DONE]} came last. */
    private static List<JsonNode> events(String sse) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                out.add(json(line.substring(6)));
            }
        }
        return out;
    }

    @Test
    void aPlainCompletionIsProxiedAndMeteredFromTheBackendsUsage() {
        var r = edge.post("/v1/chat/completions", key, chatBody(false, null));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r.body());
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(8);
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.statusCode()).isEqualTo(200);
        assertThat(e.usage().estimated()).isFalse();
        assertThat(e.usage().completionTokens()).isEqualTo(8);
        assertThat(e.usage().promptTokens()).isEqualTo(body.at("/usage/prompt_tokens").asInt());
        assertThat(e.costUsd()).isPositive();
        assertThat(e.responseSizeBytes()).isEqualTo(r.body().getBytes(StandardCharsets.UTF_8).length);
        assertThat(e.backendLatencyMs()).isNotNull();
        var seen = backend.stats().lastRequest().orElseThrow();
        assertThat(seen.header("authorization")).isEqualTo("Bearer upstream-secret");
        assertThat(seen.header("x-request-id")).isEqualTo(requestId(r));
    }

    @Test
    void aStreamWhoseClientDidNotAskForUsageIsMeteredButShowsNoUsageChunk() {
        var r = edge.post("/v1/chat/completions", key, chatBody(true, null));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().trim()).endsWith("data: [DONE]");
        List<JsonNode> chunks = events(r.body());
        assertThat(chunks).isNotEmpty().allSatisfy(c -> {
            assertThat(c.path("usage").isMissingNode() || c.path("usage").isNull()).as("usage in %s", c).isTrue();
            assertThat(c.get("choices").size()).isEqualTo(1);
        });
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.stream()).isTrue();
        assertThat(e.usage().estimated()).isFalse();
        assertThat(e.usage().completionTokens()).isEqualTo(8);
        assertThat(e.usage().promptTokens()).isPositive();
    }

    @Test
    void aStreamWhoseClientAskedForUsageGetsTheUsageChunkAndTheSameNumbersAreMetered() {
        var r = edge.post("/v1/chat/completions", key, chatBody(true, true));
        List<JsonNode> chunks = events(r.body());
        JsonNode last = chunks.get(chunks.size() - 1);
        assertThat(last.get("choices").size()).isZero();
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.usage().completionTokens()).isEqualTo(last.at("/usage/completion_tokens").asInt());
        assertThat(e.usage().promptTokens()).isEqualTo(last.at("/usage/prompt_tokens").asInt());
        assertThat(e.usage().estimated()).isFalse();
    }

    @Test
    void aStreamWithoutUsageFromTheBackendIsEstimated() {
        var r = edge.send(edge.request("/v1/chat/completions", key).header("x-sim-omit-usage", "true")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(true, true))).build());
        assertThat(r.statusCode()).isEqualTo(200);
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.usage().estimated()).isTrue();
        assertThat(e.usage().totalTokens()).isPositive();
        assertThat(e.costUsd()).isPositive();
    }

    @Test
    void theFirstChunkArrivesWhileTheBackendStillHoldsTheRestAndAnAbortIsMeteredOnce() throws Exception {
        long completedBefore = backend.stats().streamsCompleted();
        long cancelledBefore = backend.stats().streamsCancelled();
        int eventsBefore = edge.sink.events().size();
        String body = chatBody(true, null);
        String requestId;
        try (Socket s = new Socket("127.0.0.1", edge.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            // 100 tokens at one per second: the backend is far from done when the first chunk arrives.
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                    + "\r\nx-sim-tokens-per-second: 1\r\nx-sim-completion-tokens: 100\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            String id = null;
            while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                if (line.toLowerCase().startsWith("x-request-id:")) {
                    id = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            assertThat(line).as("a first chunk").isNotNull().startsWith("data: {");
            requestId = id;
            assertThat(requestId).isNotNull();
            assertThat(backend.stats().streamsCompleted()).as("the backend is still streaming").isEqualTo(completedBefore);
            assertThat(edge.sink.events()).as("not metered before the end").hasSize(eventsBefore);
        }
        // The client went away: the backend connection is closed and the request metered exactly once.
        Eventually.await("the backend saw the stream cancelled",
                () -> backend.stats().streamsCancelled() > cancelledBefore);
        Eventually.await("one usage event", () -> edge.sink.of(requestId).size() == 1);
        UsageEvent e = edge.sink.only(requestId);
        assertThat(e.clientAborted()).isTrue();
        assertThat(e.statusCode()).isEqualTo(499);
        assertThat(e.stream()).isTrue();
        assertThat(backend.stats().streamsCompleted()).isEqualTo(completedBefore);
    }

    @Test
    void backendErrorsPassThroughAndAreMeteredWithoutCost() {
        var r = edge.send(edge.request("/v1/chat/completions", key).header("x-sim-status", "500")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(false, null))).build());
        assertThat(r.statusCode()).isEqualTo(500);
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.statusCode()).isEqualTo(500);
        assertThat(e.costUsd()).isZero();
        assertThat(e.usage().totalTokens()).isZero();
    }

    @Test
    void imagesAreMeteredPerImage() {
        String pro = edge.seed.key(KeySpec.chat().withTier("pro"));
        HttpResponse<String> r = edge.post("/v1/images/generations", pro,
                "{\"model\":\"dalsi-image\",\"prompt\":\"a cat\",\"n\":2}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r.body()).get("data").size()).isEqualTo(2);
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.usage().images()).isEqualTo(2);
        // $0.04 per image
        assertThat(e.costUsd()).isGreaterThanOrEqualTo(new java.math.BigDecimal("0.08"));
    }
}
