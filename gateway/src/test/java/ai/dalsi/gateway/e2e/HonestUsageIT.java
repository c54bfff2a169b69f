package ai.dalsi.gateway.e2e;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.Responses.requestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Billing to the last token, over real HTTP (real edge, real proxy, the simulated backend whose
 * usage is a true tokenizer count): a client that hangs up mid-stream pays for what the backend
 * produced until it was cancelled (status 499 kept, cost above zero, flagged estimated), on chat
 * and on responses streams; an answer without usage is counted with the model's tokenizer over the
 * prompt and the generated text only, within 10% of the true count.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HonestUsageIT {

    private static final String PROMPT = "{\"role\":\"user\",\"content\":\"Tell me about the history of Brno, at length.\"}";

    private final SimulatedBackend backend;
    private final NettyBackendProxy proxy;
    private final TestEdge edge;
    private final String key;

    HonestUsageIT(TestDatabase db) {
        backend = SimulatedBackend.start(SimulatorConfig.builder().latency(Duration.ZERO)
                .timeToFirstToken(Duration.ZERO).tokensPerSecond(0).completionTokens(24).build());
        proxy = new NettyBackendProxy(ProxyConfig.DEFAULTS);
        BackendRoutes routes = BackendRoutes.single(BackendGroup.single(new BackendTarget(backend.baseUrl(), null))
                .withForwardHeaders(HeaderAllowlist.DEFAULT.with(List.of("x-sim-*"))));
        edge = TestEdge.builder(db).proxy(proxy).backends(routes::groupFor).start();
        edge.seed.withEmbeddingsAndResponses();
        edge.server.catalog().reload();
        key = edge.seed.key(KeySpec.chat());
    }

    @AfterAll
    void stop() {
        edge.close();
        proxy.close();
        backend.close();
    }

    private static String chat(boolean stream) {
        return "{\"model\":\"" + CHAT_MODEL + "\",\"stream\":" + stream + ",\"messages\":[" + PROMPT + "]}";
    }

    private HttpResponse<String> post(String path, String body, String... simHeaders) {
        HttpRequest.Builder b = edge.request(path, key).POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < simHeaders.length; i += 2) {
            b.header(simHeaders[i], simHeaders[i + 1]);
        }
        return edge.send(b.build());
    }

    private UsageEvent event(String requestId) {
        Eventually.await("the usage event of " + requestId, () -> edge.sink.of(requestId).size() == 1);
        return edge.sink.only(requestId);
    }

    private static void within10Percent(long estimate, long truth) {
        assertThat((double) estimate).as("estimate of %d", truth).isCloseTo(truth, within(Math.max(1.0, truth * 0.1)));
    }

    @Test
    void anAnswerWithoutUsageIsCountedOverThePromptAndTheGeneratedTextOnly() {
        UsageEvent truth = event(requestId(post("/v1/chat/completions", chat(false))));
        assertThat(truth.usage().estimated()).isFalse();
        for (boolean stream : new boolean[] {false, true}) {
            var r = post("/v1/chat/completions", chat(stream), "x-sim-omit-usage", "true");
            assertThat(r.statusCode()).isEqualTo(200);
            UsageEvent e = event(requestId(r));
            assertThat(e.usage().estimated()).as("flagged usage_estimated").isTrue();
            within10Percent(e.usage().promptTokens(), truth.usage().promptTokens());
            within10Percent(e.usage().completionTokens(), 24);
            assertThat(e.costUsd()).isPositive();
        }
    }

    @Test
    void aStreamTheBackendCutsShortIsBilledForTheTokensItSent() throws Exception {
        String body = chat(true);
        String id = null;
        try (Socket s = new Socket("127.0.0.1", edge.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                    + "\r\nx-sim-abort-after-tokens: 30\r\nx-sim-completion-tokens: 200\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            // The backend breaks off; the gateway closes the connection after what it relayed.
            while ((line = in.readLine()) != null) {
                if (line.toLowerCase().startsWith("x-request-id:")) {
                    id = line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        UsageEvent e = event(id);
        assertThat(e.statusCode()).isEqualTo(200);
        assertThat(e.usage().estimated()).isTrue();
        within10Percent(e.usage().completionTokens(), 30);
        assertThat(e.costUsd()).isPositive();
    }

    /**
     * Reads a stream on a raw socket up to {@code k} content tokens, then hangs up. Returns the
     * request id.
     */
    private String readThenHangUp(String path, String body, int k, String contentMarker) throws Exception {
        try (Socket s = new Socket("127.0.0.1", edge.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            // 10 tokens a second, 400 of them: far from done when the client leaves.
            out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                    + "\r\nx-sim-tokens-per-second: 10\r\nx-sim-completion-tokens: 400\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String id = null;
            int tokens = 0;
            String line;
            while (tokens < k && (line = in.readLine()) != null) {
                if (line.toLowerCase().startsWith("x-request-id:")) {
                    id = line.substring(line.indexOf(':') + 1).trim();
                }
                if (line.startsWith("data: ") && line.contains(contentMarker)) {
                    tokens++;
                }
            }
            assertThat(tokens).isEqualTo(k);
            return id;
        }
    }

    /**
     * The edge reads nothing from a connection while its request is in flight (one request at a
     * time, pipelining-safe), so it learns of the hang-up when a write fails: the backend is
     * cancelled a chunk or three later, and those tokens, sent to the closed socket, count too.
     */
    @Test
    void aClientThatHangsUpMidStreamPaysForWhatTheBackendProduced() throws Exception {
        int k = 40;
        String id = readThenHangUp("/v1/chat/completions", chat(true), k, "\"delta\":{\"content\":\"");
        UsageEvent e = event(id);
        assertThat(e.statusCode()).isEqualTo(499);
        assertThat(e.clientAborted()).isTrue();
        assertThat(e.usage().estimated()).isTrue();
        within10Percent(e.usage().completionTokens(), k);
        assertThat(e.usage().promptTokens()).isPositive();
        assertThat(e.costUsd()).isPositive();
    }

    @Test
    void aResponsesStreamTheClientLeavesIsBilledTheSameWay() throws Exception {
        int k = 40;
        String body = "{\"model\":\"" + CHAT_MODEL + "\",\"stream\":true,\"input\":\"Tell me about Brno.\"}";
        String id = readThenHangUp("/v1/responses", body, k, "\"type\":\"response.output_text.delta\"");
        UsageEvent e = event(id);
        assertThat(e.statusCode()).isEqualTo(499);
        assertThat(e.usage().estimated()).isTrue();
        within10Percent(e.usage().completionTokens(), k);
        assertThat(e.costUsd()).isPositive();
    }
}
