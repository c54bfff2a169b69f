package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.metering.ProductKind;
import ai.dalsi.metering.TokenUsage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retries, failover and circuit breakers over several backends of one model, on EmbeddedChannels
 * with fake time: which backend answers, when a request goes to another, that it never does once
 * the client saw a byte, and how circuits open, refuse at once, probe and close.
 */
@ExtendWith(NettyLeakExtension.class)
class FailoverTest {

    static final BackendTarget A = new BackendTarget(URI.create("http://a.test:9000"), "key-a");
    static final BackendTarget B = new BackendTarget(URI.create("http://b.test:9000"), null);
    static final BackendTarget C = new BackendTarget(URI.create("http://c.test:9000"), null);
    static final ProxyConfig CONFIG = new ProxyConfig(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofSeconds(60), 4, Duration.ofSeconds(30), 1 << 20)
            .withRetries(3, 2, Duration.ofSeconds(30));
    static final String CHAT_JSON = "{\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}";
    static final String OK = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + CHAT_JSON.length()
            + "\r\n\r\n" + CHAT_JSON;

    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedBackends backends = new EmbeddedBackends(ticker);
    private final RecordingListener listener = new RecordingListener();
    private NettyBackendProxy proxy;
    private EmbeddedChannel inbound;

    @BeforeEach
    void setUp() {
        start(CONFIG);
    }

    private void start(ProxyConfig config) {
        if (proxy != null) {
            proxy.close();
        }
        proxy = new NettyBackendProxy(config, backends, new TickerClock(ticker));
        inbound = EmbeddedChannel.builder().ticker(ticker).handlers(new ChannelInboundHandlerAdapter()).build();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        inbound.runPendingTasks();
        inbound.finishAndReleaseAll();
        for (EmbeddedBackends.Backend b : backends.opened) {
            b.channel.finishAndReleaseAll();
        }
    }

    private static BackendGroup group(Backend... backends) {
        return new BackendGroup(List.of(backends), HeaderAllowlist.DEFAULT);
    }

    private void forward(BackendGroup group) {
        forward(group, "{\"model\":\"public-model\",\"messages\":[]}");
    }

    private void forward(BackendGroup group, String body) {
        HttpHeaders h = new DefaultHttpHeaders().add("content-type", "application/json");
        ChannelHandlerContext ctx = inbound.pipeline().firstContext();
        proxy.forward(ctx, new ProxyRequest("req-" + listener.outcomes.size(), HttpMethod.POST, "/v1/chat/completions",
                h, EmbeddedBackends.ascii(body), "public-model", false, false, ProductKind.CHAT, group, null), listener);
    }

    private List<Object> written() {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = inbound.readOutbound()) != null) {
            out.add(o);
        }
        return out;
    }

    private static String text(List<Object> messages) {
        StringBuilder sb = new StringBuilder();
        for (Object m : messages) {
            if (m instanceof HttpContent c) {
                sb.append(c.content().toString(StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }

    private static int status(List<Object> messages) {
        return ((HttpResponse) messages.get(0)).status().code();
    }

    private static String requestBody(EmbeddedBackends.Backend backend) {
        List<FullHttpRequest> requests = backend.requests();
        try {
            assertThat(requests).hasSize(1);
            return requests.get(0).content().toString(StandardCharsets.UTF_8);
        } finally {
            requests.forEach(ReferenceCountUtil::release);
        }
    }

    private void advance(Duration d) {
        ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
        inbound.runScheduledPendingTasks();
    }

    private String circuit(BackendTarget t) {
        return proxy.health().state(t.name());
    }

    @Test
    void aRefusedConnectionGoesToTheNextBackendAndTheOutcomeSaysWhichAnsweredAfterHowManyAttempts() {
        backends.refusing.add(A.name());
        forward(group(Backend.of(A), Backend.of(B)));
        EmbeddedBackends.Backend b = backends.last(B);
        requestBody(b);
        b.send(OK);
        List<Object> out = written();
        assertThat(status(out)).isEqualTo(200);
        assertThat(text(out)).isEqualTo(CHAT_JSON);
        ReferenceCountUtil.release(out);
        ProxyOutcome o = listener.only();
        assertThat(o).isInstanceOf(ProxyOutcome.Completed.class);
        assertThat(o.backend()).isEqualTo(B.name());
        assertThat(o.attempts()).isEqualTo(2);
        assertThat(o.usage()).isEqualTo(TokenUsage.reported(4, 2, 0));
    }

    @Test
    void a503BeforeTheClientSawAByteIsTriedOnTheNextBackendAndTheClientSeesOnlyThatAnswer() {
        forward(group(Backend.of(A), Backend.of(B)));
        EmbeddedBackends.Backend a = backends.last(A);
        requestBody(a);
        a.send("HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
        assertThat(written()).as("nothing of A's 503 reached the client").isEmpty();
        assertThat(a.channel.isActive()).as("A's connection is dropped, its answer unread").isFalse();
        EmbeddedBackends.Backend b = backends.last(B);
        requestBody(b);
        b.send(OK);
        List<Object> out = written();
        assertThat(status(out)).isEqualTo(200);
        ReferenceCountUtil.release(out);
        assertThat(listener.only().attempts()).isEqualTo(2);
        assertThat(listener.only().backend()).isEqualTo(B.name());
    }

    @Test
    void whenNoBackendIsLeftTheLastAnswerIsTheClientsAsTheBackendSentIt() {
        forward(group(Backend.of(A), Backend.of(B)));
        backends.last(A).send("HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\n\r\n");
        backends.last(B).send("HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\n{\"e\":503}");
        List<Object> out = written();
        assertThat(status(out)).isEqualTo(503);
        assertThat(text(out)).isEqualTo("{\"e\":503}");
        ReferenceCountUtil.release(out);
        ProxyOutcome o = listener.only();
        assertThat(o).isInstanceOf(ProxyOutcome.Completed.class);
        assertThat(o.status()).isEqualTo(503);
        assertThat(o.attempts()).isEqualTo(2);
        release(backends.last(A));
        release(backends.last(B));
    }

    @Test
    void aRequestIsNeverTriedElsewhereOnceTheClientSawBytes() {
        forward(group(Backend.of(A), Backend.of(B)));
        EmbeddedBackends.Backend a = backends.last(A);
        release(a);
        a.send("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"choices\":");
        ReferenceCountUtil.release(written());
        a.channel.close();
        ProxyOutcome o = listener.only();
        assertThat(o).isInstanceOf(ProxyOutcome.Broken.class);
        assertThat(o.attempts()).isEqualTo(1);
        assertThat(backends.openedTo(B)).as("B never asked").isZero();
        assertThat(inbound.isActive()).isFalse();
    }

    @Test
    void noHeadersWithinTheFirstByteTimeoutIsTriedOnTheNextBackend() {
        forward(group(Backend.of(A), Backend.of(B)));
        release(backends.last(A));
        advance(CONFIG.firstByteTimeout());
        EmbeddedBackends.Backend a = backends.last(A);
        assertThat(a.channel.isActive()).isFalse();
        EmbeddedBackends.Backend b = backends.last(B);
        assertThat(requestBody(b)).contains("public-model");
        b.send(OK);
        ReferenceCountUtil.release(written());
        assertThat(listener.only().status()).isEqualTo(200);
        assertThat(listener.only().attempts()).isEqualTo(2);
    }

    @Test
    void attemptsAreBoundedByMaxAttemptsAndTheLastFailureIsAnswered() {
        start(CONFIG.withRetries(2, 5, Duration.ofSeconds(30)));
        backends.refusing.add(A.name());
        backends.refusing.add(B.name());
        forward(group(Backend.of(A), Backend.of(B), Backend.of(C)));
        assertThat(backends.connects).isEqualTo(2);
        ProxyOutcome o = listener.only();
        assertThat(o).isInstanceOfSatisfying(ProxyOutcome.Unanswered.class,
                u -> assertThat(u.error()).isEqualTo(ErrorCode.UPSTREAM_ERROR));
        assertThat(o.attempts()).isEqualTo(2);
        assertThat(o.errorMessage()).contains("refused");
        assertThat(written()).isEmpty();
    }

    @Test
    void theTotalDeadlineBoundsRetries() {
        start(CONFIG.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(10)));
        forward(group(Backend.of(A), Backend.of(B)));
        release(backends.last(A));
        advance(Duration.ofSeconds(10));
        ProxyOutcome o = listener.only();
        assertThat(o).isInstanceOfSatisfying(ProxyOutcome.Unanswered.class,
                u -> assertThat(u.error()).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT));
        assertThat(o.errorMessage()).contains("total timeout of 10s");
        assertThat(backends.openedTo(B)).as("no time left for B").isZero();
        assertThat(inbound.runScheduledPendingTasks()).isEqualTo(-1);
    }

    @Test
    void consecutiveFailuresOpenTheCircuitAndThenTheModelIsAnswered503AtOnce() {
        BackendGroup only = group(Backend.of(A));
        backends.refusing.add(A.name());
        forward(only);
        forward(only);
        assertThat(listener.outcomes).allMatch(o -> o.status() == 502);
        assertThat(circuit(A)).isEqualTo("open");
        int connects = backends.connects;

        forward(only);
        ProxyOutcome o = listener.outcomes.get(2);
        assertThat(o).isInstanceOfSatisfying(ProxyOutcome.Unanswered.class,
                u -> assertThat(u.error()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE));
        assertThat(o.errorMessage()).contains("circuit open");
        assertThat(o.attempts()).isZero();
        assertThat(backends.connects).as("no connection tried while the circuit is open").isEqualTo(connects);
        assertThat(inbound.runScheduledPendingTasks()).as("answered at once, no timer").isEqualTo(-1);
    }

    @Test
    void afterTheOpenDurationOneProbeGoesThroughAndItsSuccessClosesTheCircuit() {
        BackendGroup only = group(Backend.of(A));
        backends.refusing.add(A.name());
        forward(only);
        forward(only);
        assertThat(circuit(A)).isEqualTo("open");
        backends.refusing.clear();
        advance(CONFIG.circuitOpenDuration());
        forward(only);
        assertThat(listener.outcomes.get(2).status()).as("not a moment early").isEqualTo(503);
        advance(Duration.ofMillis(1));

        forward(only);
        assertThat(circuit(A)).as("the probe is out").isEqualTo("half_open");
        forward(only);
        assertThat(listener.outcomes.get(3).status()).as("one probe at a time").isEqualTo(503);
        EmbeddedBackends.Backend a = backends.last(A);
        release(a);
        a.send(OK);
        ReferenceCountUtil.release(written());
        assertThat(listener.outcomes.get(4).status()).as("the probe").isEqualTo(200);
        assertThat(circuit(A)).isEqualTo("closed");
    }

    @Test
    void anOpenBackendIsSkippedForTheOthersAndA429DoesNotCountAgainstABackend() {
        BackendGroup two = group(Backend.of(A), Backend.of(B));
        backends.refusing.add(A.name());
        for (int i = 0; i < 2; i++) {
            forward(two);
            EmbeddedBackends.Backend b = backends.last(B);
            release(b);
            b.send(i == 0 ? OK : "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\n\r\n");
            ReferenceCountUtil.release(written());
        }
        assertThat(circuit(A)).isEqualTo("open");
        assertThat(circuit(B)).isEqualTo("closed");
        int connectsToA = backends.connects - (int) backends.openedTo(B);
        forward(two);
        EmbeddedBackends.Backend b = backends.last(B);
        release(b);
        b.send(OK);
        ReferenceCountUtil.release(written());
        assertThat(listener.outcomes.get(2).attempts()).as("A skipped, not tried").isEqualTo(1);
        assertThat(backends.connects - (int) backends.openedTo(B)).isEqualTo(connectsToA);
    }

    @Test
    void aLowerPriorityNumberIsPreferredAndAHigherOneTakesOverWhenItFails() {
        BackendGroup g = group(new Backend(B, 1, 1, null), new Backend(A, 1, 0, null));
        for (int i = 0; i < 3; i++) {
            forward(g);
            EmbeddedBackends.Backend a = backends.last(A);
            release(a);
            a.send(OK);
            ReferenceCountUtil.release(written());
        }
        assertThat(backends.openedTo(B)).isZero();
        // A goes down: its pooled connection closes and new ones are refused.
        backends.last(A).channel.close();
        backends.refusing.add(A.name());
        forward(g);
        EmbeddedBackends.Backend b = backends.last(B);
        release(b);
        b.send(OK);
        ReferenceCountUtil.release(written());
        assertThat(listener.outcomes.get(3).backend()).isEqualTo(B.name());
    }

    @Test
    void aBackendWithAnUpstreamModelNameGetsItInTheBodyAndNothingElseChanges() {
        backends.refusing.add(B.name());
        forward(group(Backend.of(B), new Backend(A, 1, 0, "provider-model-v2")),
                "{\"model\" : \"public-model\",\"messages\":[{\"content\":\"model\"}], \"n\":1.0}");
        EmbeddedBackends.Backend a = backends.last(A);
        assertThat(requestBody(a))
                .isEqualTo("{\"model\" : \"provider-model-v2\",\"messages\":[{\"content\":\"model\"}], \"n\":1.0}");
        a.send(OK);
        ReferenceCountUtil.release(written());
    }

    @Test
    void onlyAllowedClientHeadersReachTheBackendAndEachBackendGetsItsOwnKey() {
        backends.refusing.add(B.name());
        HttpHeaders h = new DefaultHttpHeaders().add("content-type", "application/json")
                .add("OpenAI-Beta", "assistants=v2").add("traceparent", "00-abc-def-01").add("x-secret", "s3cret")
                .add("x-sim-status", "500").add("cookie", "c=1").add("authorization", "Bearer client");
        ChannelHandlerContext ctx = inbound.pipeline().firstContext();
        proxy.forward(ctx, new ProxyRequest("r", HttpMethod.POST, "/v1/chat/completions", h,
                EmbeddedBackends.ascii("{}"), "m", false, false, ProductKind.CHAT,
                new BackendGroup(List.of(Backend.of(B), Backend.of(A)), HeaderAllowlist.DEFAULT), null), listener);
        EmbeddedBackends.Backend a = backends.last(A);
        List<FullHttpRequest> requests = a.requests();
        try {
            HttpHeaders got = requests.get(0).headers();
            assertThat(got.get("openai-beta")).isEqualTo("assistants=v2");
            assertThat(got.get("traceparent")).isEqualTo("00-abc-def-01");
            assertThat(got.contains("x-secret")).isFalse();
            assertThat(got.contains("x-sim-status")).isFalse();
            assertThat(got.contains("cookie")).isFalse();
            assertThat(got.getAll("authorization")).containsExactly("Bearer key-a");
            assertThat(got.get("host")).isEqualTo("a.test:9000");
        } finally {
            requests.forEach(ReferenceCountUtil::release);
        }
        a.send(OK);
        ReferenceCountUtil.release(written());
    }

    private static void release(EmbeddedBackends.Backend b) {
        b.requests().forEach(ReferenceCountUtil::release);
    }
}
