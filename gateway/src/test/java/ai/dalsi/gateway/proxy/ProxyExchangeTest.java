package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.metering.ProductKind;
import ai.dalsi.metering.TokenUsage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The exchange on EmbeddedChannels, its parts together (attempt, relay, usage tap, deadlines): the
 * inbound channel collects what the proxy writes to the client, each backend connection is an
 * EmbeddedChannel with the real backend pipeline, and time is a fake clock shared by both (and by
 * the circuit breakers). Retries and circuits over several backends are {@link FailoverTest}'s.
 */
@ExtendWith(NettyLeakExtension.class)
class ProxyExchangeTest {

    static final BackendTarget TARGET = new BackendTarget(URI.create("http://backend.test:9000/openai"), "upstream-key");
    static final BackendGroup GROUP = BackendGroup.single(TARGET);
    static final ProxyConfig CONFIG = new ProxyConfig(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofSeconds(60), 4, Duration.ofSeconds(30), 1 << 20);

    static final String SSE_HEADERS = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
            + "x-ratelimit-remaining-tokens: 999\r\nconnection: keep-alive\r\n\r\n";
    static final String EVENT_1 = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n";
    static final String USAGE_EVENT = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}\n\n";
    static final String DONE = "data: [DONE]\n\n";
    static final String CHAT_JSON = "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}";

    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedBackends backends = new EmbeddedBackends(ticker);
    private final RecordingListener listener = new RecordingListener();
    private NettyBackendProxy proxy;
    private EmbeddedChannel inbound;
    private ChannelHandlerContext ctx;

    @BeforeEach
    void setUp() {
        proxy = new NettyBackendProxy(CONFIG, backends, new TickerClock(ticker));
        inbound = EmbeddedChannel.builder().ticker(ticker).handlers(new ChannelInboundHandlerAdapter()).build();
        ctx = inbound.pipeline().firstContext();
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

    private ProxyRequest request(String body, boolean stream, boolean clientAskedForUsage) {
        HttpHeaders h = new DefaultHttpHeaders()
                .add(HttpHeaderNames.AUTHORIZATION, "Bearer dsk_live_theclientskey")
                .add("x-api-key", "dsk_live_theclientskey")
                .add(HttpHeaderNames.CONNECTION, "keep-alive, x-hop")
                .add("x-hop", "1")
                .add(HttpHeaderNames.ACCEPT_ENCODING, "gzip")
                .add(HttpHeaderNames.HOST, "gateway.example")
                .add(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .add(HttpHeaderNames.USER_AGENT, "OpenAI/Java 4.8.0");
        HttpHeaders responseHeaders = new DefaultHttpHeaders().add("x-request-id", "req-1").add("x-ratelimit-remaining-requests", "41");
        return new ProxyRequest("req-1", HttpMethod.POST, "/v1/chat/completions", h, EmbeddedBackends.ascii(body),
                "gpt-test", stream, clientAskedForUsage, ProductKind.CHAT, GROUP, responseHeaders);
    }

    private void forward(boolean stream, boolean clientAskedForUsage) {
        proxy.forward(ctx, request("{\"model\":\"gpt-test\"}", stream, clientAskedForUsage), listener);
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

    private static void release(List<?> messages) {
        messages.forEach(ReferenceCountUtil::release);
    }

    private static String chunk(String s) {
        return Integer.toHexString(s.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + s + "\r\n";
    }

    private void advance(Duration d) {
        ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
        inbound.runScheduledPendingTasks();
    }

    @Test
    void theBackendGetsItsOwnCredentialsAndNeverTheClients() {
        forward(false, false);
        EmbeddedBackends.Backend backend = backends.last();
        List<FullHttpRequest> requests = backend.requests();
        assertThat(requests).hasSize(1);
        FullHttpRequest r = requests.get(0);
        try {
            assertThat(r.uri()).isEqualTo("/openai/v1/chat/completions");
            HttpHeaders h = r.headers();
            assertThat(h.getAll(HttpHeaderNames.AUTHORIZATION)).containsExactly("Bearer upstream-key");
            assertThat(h.contains("x-api-key")).isFalse();
            assertThat(h.get(HttpHeaderNames.HOST)).isEqualTo("backend.test:9000");
            assertThat(h.get("x-request-id")).isEqualTo("req-1");
            assertThat(h.contains("x-hop")).isFalse();
            assertThat(h.contains(HttpHeaderNames.CONNECTION)).isFalse();
            assertThat(h.contains(HttpHeaderNames.ACCEPT_ENCODING)).isFalse();
            assertThat(h.get(HttpHeaderNames.USER_AGENT)).isEqualTo("OpenAI/Java 4.8.0");
            assertThat(h.getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(20);
            assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"gpt-test\"}");
        } finally {
            r.release();
        }
        backend.send("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
        release(written());
    }

    @Test
    void aPlainResponseIsForwardedAndItsEndWaitsForTheStage() {
        listener.autoComplete = false;
        forward(false, false);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        String body = CHAT_JSON;
        String first = body.substring(0, 30);
        String middle = body.substring(30, 60);
        String rest = body.substring(60);
        backend.send("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n"
                + "x-request-id: backend-id\r\nx-ratelimit-limit-requests: 10000\r\n\r\n" + chunk(first));

        List<Object> head = written();
        assertThat(head).hasSize(1);
        HttpResponse response = (HttpResponse) head.get(0);
        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(response.headers().getAll("x-request-id")).containsExactly("req-1");
        assertThat(response.headers().get("x-ratelimit-remaining-requests")).isEqualTo("41");
        assertThat(response.headers().contains("x-ratelimit-limit-requests")).isFalse();

        backend.send(chunk(middle));
        List<Object> firstPart = written();
        assertThat(text(firstPart)).as("the body flows one chunk behind").isEqualTo(first);
        release(firstPart);

        backend.send(chunk(rest) + "0\r\n\r\n");
        ProxyOutcome outcome = listener.only();
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.usage()).isEqualTo(TokenUsage.reported(4, 2, 0));
        assertThat(outcome.responseBytes()).isEqualTo(body.length());
        assertThat(outcome).isInstanceOf(ProxyOutcome.Completed.class);
        assertThat(outcome.backendLatencyMs()).isNotNull();
        assertThat(outcome.backend()).isEqualTo("http://backend.test:9000/openai");
        assertThat(outcome.attempts()).isEqualTo(1);
        // The usage is not journaled yet: the last bytes of the body and the end wait.
        List<Object> middlePart = written();
        assertThat(text(middlePart)).isEqualTo(middle);
        assertThat(middlePart).noneMatch(m -> m instanceof LastHttpContent);
        release(middlePart);
        assertThat(proxy.idleConnections(inbound.eventLoop(), TARGET)).as("connection back in the pool").isEqualTo(1);

        listener.stages.get(0).complete(null);
        List<Object> end = written();
        assertThat(text(end)).isEqualTo(rest);
        assertThat(end.get(end.size() - 1)).isInstanceOf(LastHttpContent.class);
        release(end);
        assertThat(inbound.isActive()).isTrue();
    }

    @Test
    void aFailedStageClosesTheClientConnectionInsteadOfEndingTheResponse() {
        listener.autoComplete = false;
        forward(false, false);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        backend.send("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + CHAT_JSON.length() + "\r\n\r\n" + CHAT_JSON);
        List<Object> head = written();
        assertThat(head).hasSize(1).first().isInstanceOf(HttpResponse.class);
        listener.stages.get(0).completeExceptionally(new IllegalStateException("journal unavailable"));
        inbound.runPendingTasks();
        assertThat(written()).isEmpty();
        assertThat(inbound.isActive()).isFalse();
    }

    @Test
    void aPlainResponseWhoseUsageIsJournaledAtOnceReachesTheClientInOneFlush() {
        AtomicInteger flushes = new AtomicInteger();
        inbound.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext c) {
                flushes.incrementAndGet();
                c.flush();
            }
        });
        forward(false, false);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        backend.send("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + CHAT_JSON.length()
                + "\r\n\r\n" + CHAT_JSON);
        List<Object> out = written();
        assertThat(out.get(0)).isInstanceOf(HttpResponse.class);
        assertThat(text(out)).isEqualTo(CHAT_JSON);
        assertThat(out.get(out.size() - 1)).isInstanceOf(LastHttpContent.class);
        release(out);
        assertThat(flushes).as("headers, body and end in one write to the socket").hasValue(1);
        assertThat(listener.only().status()).isEqualTo(200);
    }

    @Test
    void aStreamFlowsThroughTheUsageChunkIsDroppedAndDoneWaitsForTheStage() {
        listener.autoComplete = false;
        forward(true, false);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        backend.send(SSE_HEADERS + chunk(EVENT_1));

        List<Object> first = written();
        HttpResponse response = (HttpResponse) first.get(0);
        assertThat(response.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("chunked");
        assertThat(response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
        assertThat(response.headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
        assertThat(response.headers().contains("x-ratelimit-remaining-tokens")).isFalse();
        assertThat(text(first)).isEqualTo(EVENT_1);
        release(first);

        backend.send(chunk(USAGE_EVENT + DONE) + "0\r\n\r\n");
        assertThat(written()).as("usage chunk dropped, [DONE] held").isEmpty();
        ProxyOutcome outcome = listener.only();
        assertThat(outcome.usage()).isEqualTo(TokenUsage.reported(7, 3, 0));
        assertThat(outcome.responseBytes()).isEqualTo(EVENT_1.length() + DONE.length());

        listener.stages.get(0).complete(null);
        List<Object> end = written();
        assertThat(text(end)).isEqualTo(DONE);
        assertThat(end.get(end.size() - 1)).isInstanceOf(LastHttpContent.class);
        release(end);
    }

    @Test
    void aClientThatAskedForUsageGetsTheUsageChunk() {
        forward(true, true);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        backend.send(SSE_HEADERS + chunk(EVENT_1 + USAGE_EVENT + DONE) + "0\r\n\r\n");
        List<Object> all = written();
        assertThat(text(all)).isEqualTo(EVENT_1 + USAGE_EVENT + DONE);
        release(all);
        assertThat(listener.only().usage()).isEqualTo(TokenUsage.reported(7, 3, 0));
    }

    /** Holds writes to the client, as a client that does not read would. */
    static final class SlowClient extends ChannelOutboundHandlerAdapter {
        final List<Object> messages = new ArrayList<>();
        final List<ChannelPromise> promises = new ArrayList<>();
        ChannelHandlerContext ctx;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            this.ctx = ctx;
            messages.add(msg);
            promises.add(promise);
        }

        void drain() {
            List<Object> m = new ArrayList<>(messages);
            List<ChannelPromise> p = new ArrayList<>(promises);
            messages.clear();
            promises.clear();
            for (int i = 0; i < m.size(); i++) {
                ctx.write(m.get(i), p.get(i));
            }
            ctx.flush();
        }
    }

    @Test
    void theBackendIsNotReadWhileTheClientHasNotTakenTheLastWrite() {
        SlowClient slow = new SlowClient();
        inbound.pipeline().addFirst(slow);
        forward(true, true);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());

        int readsBefore = backend.reads.reads;
        backend.send(SSE_HEADERS + chunk(EVENT_1));
        assertThat(slow.messages).hasSize(2);
        assertThat(backend.reads.reads).as("no read while the write is pending").isEqualTo(readsBefore);

        // Waiting on the client is not backend idleness.
        advance(CONFIG.idleTimeout().plusSeconds(1));
        assertThat(listener.outcomes).isEmpty();
        assertThat(inbound.isActive()).isTrue();

        slow.drain();
        assertThat(backend.reads.reads).as("read resumes once the client took the data").isEqualTo(readsBefore + 1);
        release(written());

        backend.send(chunk(DONE) + "0\r\n\r\n");
        slow.drain();
        release(written());
        assertThat(listener.only().status()).isEqualTo(200);
    }

    @Test
    void noResponseHeadersInTimeIs504AndNothingIsWritten() {
        forward(false, false);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        advance(CONFIG.firstByteTimeout().minusMillis(1));
        assertThat(listener.outcomes).isEmpty();
        advance(Duration.ofMillis(1));
        ProxyOutcome outcome = listener.only();
        assertThat(outcome).isInstanceOfSatisfying(ProxyOutcome.Unanswered.class,
                u -> assertThat(u.error()).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT));
        assertThat(outcome.status()).isEqualTo(504);
        assertThat(outcome.errorMessage()).contains("10s");
        assertThat(written()).isEmpty();
        assertThat(backend.channel.isActive()).as("backend connection closed").isFalse();
        assertThat(inbound.isActive()).isTrue();
        assertThat(inbound.runScheduledPendingTasks()).as("no timer left behind").isEqualTo(-1);
    }

    @Test
    void aBackendSilentMidStreamClosesTheClientConnection() {
        forward(true, false);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        backend.send(SSE_HEADERS + chunk(EVENT_1));
        release(written());
        advance(CONFIG.idleTimeout().minusMillis(1));
        assertThat(listener.outcomes).isEmpty();
        backend.send(chunk(EVENT_1));
        release(written());
        advance(CONFIG.idleTimeout().minusMillis(1));
        assertThat(listener.outcomes).as("each chunk restarts the idle clock").isEmpty();
        advance(Duration.ofMillis(1));

        ProxyOutcome outcome = listener.only();
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome).isInstanceOf(ProxyOutcome.Broken.class);
        assertThat(outcome.errorMessage()).contains("sent nothing for 5s");
        assertThat(inbound.isActive()).isFalse();
        assertThat(backend.channel.isActive()).isFalse();
        assertThat(inbound.runScheduledPendingTasks()).isEqualTo(-1);
    }

    @Test
    void theTotalTimeoutEndsEvenAStreamThatKeepsTalking() {
        ProxyConfig tight = CONFIG.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(12));
        proxy = new NettyBackendProxy(tight, backends, new TickerClock(ticker));
        forward(true, false);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        backend.send(SSE_HEADERS);
        for (int i = 0; i < 3; i++) {
            backend.send(chunk(EVENT_1));
            advance(Duration.ofSeconds(4));
        }
        release(written());
        assertThat(listener.only().errorMessage()).contains("total timeout of 12s");
        assertThat(inbound.isActive()).isFalse();
    }

    @Test
    void aClientThatGoesAwayClosesTheBackendConnectionAndIsReportedOnce() {
        forward(true, false);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        backend.send(SSE_HEADERS + chunk(EVENT_1));
        release(written());

        inbound.close();
        ProxyOutcome outcome = listener.only();
        assertThat(outcome).isInstanceOf(ProxyOutcome.ClientGone.class);
        assertThat(outcome.status()).isEqualTo(499);
        assertThat(outcome.responseBytes()).isEqualTo(EVENT_1.length());
        assertThat(backend.channel.isActive()).as("backend connection closed, not pooled").isFalse();
        assertThat(proxy.idleConnections(inbound.eventLoop(), TARGET)).isZero();
        assertThat(inbound.runScheduledPendingTasks()).isEqualTo(-1);
        assertThat(listener.outcomes).hasSize(1);
    }

    private void roundTrip() {
        forward(false, false);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        backend.send("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + CHAT_JSON.length() + "\r\n\r\n" + CHAT_JSON);
        release(written());
    }

    @Test
    void keepAliveConnectionsAreReused() {
        for (int i = 0; i < 5; i++) {
            roundTrip();
        }
        assertThat(backends.opened).hasSize(1);
        assertThat(listener.outcomes).hasSize(5).allMatch(o -> o.status() == 200);
    }

    @Test
    void aPooledConnectionTheBackendClosedIsNotUsed() {
        roundTrip();
        backends.last().channel.close();
        assertThat(proxy.idleConnections(inbound.eventLoop(), TARGET)).isZero();
        roundTrip();
        assertThat(backends.opened).hasSize(2);
        assertThat(listener.outcomes).hasSize(2).allMatch(o -> o.status() == 200);
    }

    @Test
    void aRequestWhoseWriteFailedOnAPooledConnectionIsSentOnceOnANewOne() {
        roundTrip();
        backends.last().failWrites.armed = true;
        roundTrip();
        assertThat(backends.opened).hasSize(2);
        assertThat(listener.outcomes).hasSize(2).allMatch(o -> o.status() == 200);
    }

    @Test
    void aRequestThatReachedTheBackendIsNeverSentAgain() {
        roundTrip();
        forward(false, false);
        EmbeddedBackends.Backend backend = backends.last();
        List<FullHttpRequest> got = backend.requests();
        assertThat(got).hasSize(1);
        release(got);
        backend.channel.close();
        assertThat(backends.opened).as("no second attempt").hasSize(1);
        ProxyOutcome outcome = listener.outcomes.get(1);
        assertThat(outcome).isInstanceOfSatisfying(ProxyOutcome.Unanswered.class,
                u -> assertThat(u.error()).isEqualTo(ErrorCode.UPSTREAM_ERROR));
        assertThat(outcome.status()).isEqualTo(502);
        assertThat(written()).isEmpty();
    }

    @Test
    void aRefusedConnectionIs502AndAConnectTimeout504() {
        backends.failNextConnect = new ConnectException("Connection refused");
        forward(false, false);
        assertThat(listener.only()).isInstanceOfSatisfying(ProxyOutcome.Unanswered.class,
                u -> assertThat(u.error()).isEqualTo(ErrorCode.UPSTREAM_ERROR));
        assertThat(listener.only().errorMessage()).contains("Connection refused");

        backends.failNextConnect = new ConnectTimeoutException("connection timed out");
        forward(false, false);
        assertThat(listener.outcomes.get(1)).isInstanceOfSatisfying(ProxyOutcome.Unanswered.class,
                u -> assertThat(u.error()).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT));
        assertThat(written()).isEmpty();
        assertThat(inbound.runScheduledPendingTasks()).isEqualTo(-1);
    }

    @Test
    void aResponseBrokenAfterItsHeadersClosesTheClient() {
        forward(false, false);
        EmbeddedBackends.Backend backend = backends.last();
        release(backend.requests());
        backend.send("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"choices\":");
        release(written());
        backend.channel.close();
        ProxyOutcome outcome = listener.only();
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome).isInstanceOf(ProxyOutcome.Broken.class);
        assertThat(outcome.errorMessage()).isNotNull();
        assertThat(inbound.isActive()).isFalse();
    }

    @Test
    void aClosedProxyAnswers503AndAGoneClient499() {
        proxy.close();
        ByteBuf body = EmbeddedBackends.ascii("{}");
        proxy.forward(ctx, new ProxyRequest("r", HttpMethod.POST, "/v1/completions", new DefaultHttpHeaders(), body,
                null, false, false, ProductKind.COMPLETION, GROUP, null), listener);
        assertThat(listener.only()).isInstanceOfSatisfying(ProxyOutcome.Unanswered.class,
                u -> assertThat(u.error()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE));
        assertThat(body.refCnt()).isZero();
        assertThat(backends.closed).isTrue();

        proxy = new NettyBackendProxy(CONFIG, backends, new TickerClock(ticker));
        inbound.close();
        forward(false, false);
        assertThat(listener.outcomes.get(1).status()).isEqualTo(499);
        assertThat(backends.opened).isEmpty();
    }
}
