package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.metering.TokenUsage;
import ai.dalsi.persistence.testing.Eventually;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The proxy on real sockets: an HTTP client, the edge stand-in ({@link ProxyHarness}) with the
 * proxy, and a scriptable backend ({@link TestBackend}), all on port 0.
 */
@ExtendWith(NettyLeakExtension.class)
class ProxyIT {

    static final String EVENT_1 = "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"Hel\"}}],\"usage\":null}\n\n";
    static final String EVENT_2 = "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"lo\"}}],\"usage\":null}\n\n";
    static final String USAGE = "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n";
    static final String DONE = "data: [DONE]\n\n";
    static final String STREAM_BODY = "{\"model\":\"test-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM_BODY_WITH_USAGE =
            "{\"model\":\"test-model\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}";
    static final String CHAT_JSON = "{\"id\":\"c\",\"choices\":[{\"message\":{\"content\":\"Hello\"}}],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}";

    static final ProxyConfig CONFIG = new ProxyConfig(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10),
            Duration.ofSeconds(60), 8, Duration.ofSeconds(30), 1 << 20);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TestBackend backend;
    private ProxyHarness harness;

    @AfterEach
    void tearDown() {
        if (harness != null) {
            harness.close();
        }
        if (backend != null) {
            backend.close();
        }
        client.close();
    }

    private void start(TestBackend.Script script, ProxyHarness.Transport transport, ProxyConfig config) throws Exception {
        backend = new TestBackend(script);
        harness = new ProxyHarness(config, backend.target("upstream-key"), transport);
    }

    private HttpRequest post(String body) {
        return HttpRequest.newBuilder(harness.uri("/v1/chat/completions"))
                .header("Authorization", "Bearer dsk_live_clientkeythatmuststayhere")
                .header("x-api-key", "dsk_live_clientkeythatmuststayhere")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** Sends the first event, then the rest once {@code gate} completes. */
    private static TestBackend.Script heldStream(CompletableFuture<Void> gate) {
        return (ctx, req) -> {
            ctx.write(TestBackend.headers("text/event-stream", true));
            ctx.writeAndFlush(TestBackend.text(EVENT_1));
            gate.thenRun(() -> ctx.executor().execute(() -> {
                ctx.write(TestBackend.text(EVENT_2));
                ctx.write(TestBackend.text(USAGE + DONE));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            }));
        };
    }

    private static void chatJson(ChannelHandlerContext ctx, FullHttpRequest req) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(CHAT_JSON, StandardCharsets.UTF_8));
        r.headers().set("content-type", "application/json").setInt("content-length", CHAT_JSON.length());
        ctx.writeAndFlush(r);
    }

    private static String readEvent(BufferedReader reader) throws Exception {
        StringBuilder event = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            event.append(line).append('\n');
            if (line.isEmpty()) {
                break;
            }
        }
        return event.toString();
    }

    @ParameterizedTest
    @EnumSource(ProxyHarness.Transport.class)
    void theFirstChunkArrivesWhileTheBackendHoldsTheRestAndTheUsageChunkIsNotPassedOn(ProxyHarness.Transport transport) throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        start(heldStream(gate), transport, CONFIG);

        HttpResponse<InputStream> response = client.send(post(STREAM_BODY), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(response.headers().firstValue("x-request-id")).hasValueSatisfying(v -> assertThat(v).startsWith("req-"));
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(readEvent(reader)).isEqualTo(EVENT_1);
            assertThat(gate).as("the backend still holds the rest").isNotDone();
            gate.complete(null);
            StringBuilder rest = new StringBuilder();
            char[] buf = new char[1024];
            int n;
            while ((n = reader.read(buf)) > 0) {
                rest.append(buf, 0, n);
            }
            assertThat(rest.toString()).isEqualTo(EVENT_2 + DONE);
        }
        ProxyOutcome outcome = harness.listener.only();
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.usage()).isEqualTo(TokenUsage.reported(9, 2, 0));
        assertThat(outcome.responseBytes()).isEqualTo((EVENT_1 + EVENT_2 + DONE).length());
        assertThat(outcome).isInstanceOf(ProxyOutcome.Completed.class);

        TestBackend.Received got = backend.received.get(0);
        assertThat(got.headers().getAll("authorization")).containsExactly("Bearer upstream-key");
        assertThat(got.headers().contains("x-api-key")).isFalse();
        assertThat(got.body()).isEqualTo(STREAM_BODY);
    }

    @Test
    void aClientThatAskedForUsageGetsTheUsageChunk() throws Exception {
        CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
        start(heldStream(gate), ProxyHarness.Transport.NIO, CONFIG);
        HttpResponse<String> response = client.send(post(STREAM_BODY_WITH_USAGE), HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).isEqualTo(EVENT_1 + EVENT_2 + USAGE + DONE);
        assertThat(harness.listener.only().usage()).isEqualTo(TokenUsage.reported(9, 2, 0));
    }

    @Test
    void theResponseEndsOnlyAfterTheUsageIsConfirmed() throws Exception {
        start(ProxyIT::chatJson, ProxyHarness.Transport.NIO, CONFIG);
        harness.listener.autoComplete = false;
        CompletableFuture<HttpResponse<String>> response = client.sendAsync(post("{\"model\":\"m\"}"), HttpResponse.BodyHandlers.ofString());
        Eventually.await("outcome reported", () -> harness.listener.outcomes.size() == 1);
        assertThat(harness.listener.only().usage()).isEqualTo(TokenUsage.reported(5, 1, 0));
        assertThat(response).as("response held until the usage is journaled").isNotDone();
        harness.listener.stages.get(0).complete(null);
        HttpResponse<String> done = response.get(10, TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).isEqualTo(CHAT_JSON);
    }

    @Test
    void aClientThatGoesAwayMidStreamClosesTheBackendConnectionAndYieldsOneOutcome() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        start(heldStream(never), ProxyHarness.Transport.NIO, CONFIG);
        try (Socket socket = new Socket("127.0.0.1", harness.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + STREAM_BODY.length() + "\r\n\r\n" + STREAM_BODY).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null && !line.startsWith("data: {")) {
                seen.append(line);
            }
            assertThat(line).as("first event reached the client").contains("Hel");
        }
        Eventually.await("the backend saw its connection closed", () -> backend.closed.get() == 1);
        Eventually.await("the abort was reported", () -> harness.listener.outcomes.size() == 1);
        ProxyOutcome outcome = harness.listener.only();
        assertThat(outcome).isInstanceOf(ProxyOutcome.ClientGone.class);
        assertThat(outcome.status()).isEqualTo(499);

        // A second exchange proves no late second outcome for the first one: exactly two in all.
        backend.script = heldStream(CompletableFuture.completedFuture(null));
        client.send(post(STREAM_BODY), HttpResponse.BodyHandlers.ofString());
        assertThat(harness.listener.outcomes).hasSize(2);
        assertThat(harness.listener.outcomes.get(1)).isInstanceOf(ProxyOutcome.Completed.class);
    }

    @ParameterizedTest
    @EnumSource(ProxyHarness.Transport.class)
    void twentySequentialRequestsShareOneBackendConnection(ProxyHarness.Transport transport) throws Exception {
        start(ProxyIT::chatJson, transport, CONFIG);
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = client.send(post("{\"model\":\"m\",\"n\":" + i + "}"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(CHAT_JSON);
        }
        assertThat(backend.opened.get()).isEqualTo(1);
        assertThat(backend.received).hasSize(20).allSatisfy(got -> {
            assertThat(got.headers().getAll("authorization")).containsExactly("Bearer upstream-key");
            assertThat(got.headers().contains("x-api-key")).isFalse();
        });
        assertThat(harness.listener.outcomes).hasSize(20)
                .allSatisfy(o -> assertThat(o.usage()).isEqualTo(TokenUsage.reported(5, 1, 0)));
    }

    @Test
    void aSlowClientDoesNotMakeTheProxyBufferAFastBackend() throws Exception {
        long total = 64L << 20;
        TestBackend.Firehose[] firehose = new TestBackend.Firehose[1];
        start((ctx, req) -> {
            firehose[0] = new TestBackend.Firehose(total);
            firehose[0].start(ctx);
        }, ProxyHarness.Transport.NIO, CONFIG);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", harness.port()));
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.UTF_8));
            out.flush();
            // The client reads nothing: the backend must end up blocked for good, the gateway holding little.
            int[] stalledPolls = {0};
            Eventually.await("the backend stays blocked by backpressure", Duration.ofSeconds(20), () -> {
                stalledPolls[0] = firehose[0] != null && firehose[0].stalled() ? stalledPolls[0] + 1 : 0;
                return stalledPolls[0] >= 40;
            });
            assertThat(firehose[0].written.get()).as("the backend could not push everything").isLessThan(total / 2);
            assertThat(harness.inFlight.peak.get()).as("peak bytes queued in the gateway for the client").isLessThan(1L << 20);
            assertThat(harness.pendingToClient(harness.inbound.get(0))).isLessThan(1L << 20);

            InputStream in = socket.getInputStream();
            byte[] buf = new byte[256 * 1024];
            long received = 0;
            int n;
            boolean endSeen = false;
            while (!endSeen && (n = in.read(buf)) > 0) {
                received += n;
                endSeen = n >= 5 && new String(buf, n - 5, 5, StandardCharsets.ISO_8859_1).equals("0\r\n\r\n");
            }
            assertThat(received).as("headers, chunk framing and every body byte").isGreaterThan(total);
        }
        assertThat(harness.inFlight.peak.get()).as("peak bytes queued in the gateway for the client").isLessThan(1L << 20);
        ProxyOutcome outcome = harness.listener.only();
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.responseBytes()).isEqualTo(total);
    }

    @Test
    void aBackendSilentMidStreamClosesTheClientAndReportsIt() throws Exception {
        ProxyConfig quickIdle = CONFIG.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMillis(300),
                Duration.ofSeconds(60));
        start(heldStream(new CompletableFuture<>()), ProxyHarness.Transport.NIO, quickIdle);
        HttpResponse<InputStream> response = client.send(post(STREAM_BODY), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (InputStream in = response.body()) {
            StringBuilder got = new StringBuilder();
            try {
                byte[] buf = new byte[1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (java.io.IOException expected) {
                // The connection was closed mid-response, as it must be.
            }
            assertThat(got.toString()).isEqualTo(EVENT_1);
        }
        ProxyOutcome outcome = harness.listener.only();
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.errorMessage()).contains("sent nothing for 300ms");
        Eventually.await("backend connection closed", () -> backend.closed.get() == 1);
    }
}
