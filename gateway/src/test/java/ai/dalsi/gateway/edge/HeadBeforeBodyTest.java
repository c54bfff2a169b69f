package ai.dalsi.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The head before the body, on an {@link EmbeddedChannel} with the real handlers (deadlines,
 * sequencer, stamp, path) fed decoded HTTP objects as the codec would: a request is answered from
 * its head when the key is missing or bad, and its body is then neither read nor kept; a body is
 * read only once asked for, within the in-flight budget (503 when over it), and its reservation
 * is given back when it is freed; a body that does not arrive in time is answered 408.
 */
class HeadBeforeBodyTest {

    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration BODY_TIMEOUT = Duration.ofSeconds(30);

    private final StepFixture f = new StepFixture();
    private final ConnectionState state = new ConnectionState();
    private final EdgeLifecycle lifecycle = new EdgeLifecycle();
    private final EmbeddedChannel channel;

    HeadBeforeBodyTest() {
        state.deadlines = new ReadDeadlines(HEAD_TIMEOUT, BODY_TIMEOUT, Duration.ofSeconds(60));
        channel = new EmbeddedChannel(state.deadlines, new RequestSequencer(state, lifecycle, f.time, f.metrics),
                new ResponseHeadersHandler(state, lifecycle),
                new RequestPathHandler(state, f.steps, f.finisher, new BackendHandOff(f.proxy, f.finisher)));
        channel.freezeTime();
    }

    @AfterEach
    void finish() {
        assertFalse(channel.finishAndReleaseAll());
        assertThat(f.budget.used()).as("every reservation given back").isZero();
    }

    private static HttpRequest head(String key, long contentLength) {
        HttpRequest h = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, StepFixture.CHAT);
        if (key != null) {
            h.headers().set("authorization", "Bearer " + key);
        }
        if (contentLength >= 0) {
            h.headers().set("content-length", contentLength);
        } else {
            h.headers().set("transfer-encoding", "chunked");
        }
        return h;
    }

    private static HttpContent piece(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static LastHttpContent last(String text) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private FullHttpResponse response() {
        Object out = channel.readOutbound();
        assertThat(out).isInstanceOf(FullHttpResponse.class);
        return (FullHttpResponse) out;
    }

    /** The status of a response the (canned) backend gave, after its last bytes were written. */
    private int proxied() {
        channel.runPendingTasks();
        Object head = channel.readOutbound();
        assertThat(head).isInstanceOf(io.netty.handler.codec.http.HttpResponse.class);
        Object end = channel.readOutbound();
        assertThat(end).isInstanceOf(LastHttpContent.class);
        io.netty.util.ReferenceCountUtil.release(end);
        return ((io.netty.handler.codec.http.HttpResponse) head).status().code();
    }

    private static String text(FullHttpResponse r) {
        String s = r.content().toString(StandardCharsets.UTF_8);
        r.release();
        return s;
    }

    @Test
    void noKeyIsAnswered401FromTheHeadAndItsLargeBodyIsNeitherReadNorKept() {
        channel.writeInbound(head(null, 4_000_000));
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(401);
        assertThat(r.headers().get("connection")).as("the body is not read: the connection ends").isEqualTo("close");
        assertThat(text(r)).contains("\"code\":\"invalid_api_key\"");
        assertThat(channel.isOpen()).isFalse();
        assertThat(f.metrics.disconnects()).as("closed by the edge, not a client hang-up").isEmpty();
    }

    @Test
    void noKeyWithASmallBodyIsAnswered401AndTheConnectionCarriesTheNextRequest() {
        channel.writeInbound(head(null, 20));
        assertThat(channel.config().isAutoRead()).as("the rest is read and dropped").isTrue();
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(401);
        assertThat(r.headers().contains("connection")).isFalse();
        r.release();
        HttpContent rest = last("{\"model\":\"chat-1\"}..");
        channel.writeInbound(rest);
        assertThat(rest.refCnt()).isZero();
        String key = f.key("free", 100, "ai.chat");
        channel.writeInbound(head(key, 34), last("{\"model\":\"chat-1\",\"messages\":[]}"));
        assertThat(proxied()).isEqualTo(200);
        assertThat(f.proxy.forwarded()).hasSize(1);
    }

    @Test
    void aKeyWhoseWindowIsFullIsAnswered429FromTheHeadAndItsBodyIsDroppedUnparsed() {
        String key = f.key("free", 1, "ai.chat");
        channel.writeInbound(head(key, 34), last("{\"model\":\"chat-1\",\"messages\":[]}"));
        assertThat(proxied()).isEqualTo(200);
        channel.writeInbound(head(key, 20));
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(429);
        assertThat(r.headers().get("x-ratelimit-remaining-requests")).isEqualTo("0");
        assertThat(r.headers().get("retry-after")).isNotNull();
        assertThat(r.headers().contains("connection")).as("a small body is dropped: the connection stays").isFalse();
        assertThat(text(r)).contains("\"code\":\"rate_limit_exceeded\"", "requests per minute: limit 1.");
        assertThat(f.budget.used()).as("nothing reserved for the body").isZero();
        HttpContent rest = last("not even json");
        channel.writeInbound(rest);
        assertThat(rest.refCnt()).as("read and dropped, never parsed").isZero();
        assertThat(f.sink.events()).hasSize(2);
        var refusal = f.sink.events().get(1);
        assertThat(refusal.statusCode()).isEqualTo(429);
        assertThat(refusal.model()).as("no body was read, so no model").isNull();
        assertThat(refusal.endpoint()).isEqualTo(StepFixture.CHAT);
        assertThat(refusal.refused()).isTrue();
        assertThat(refusal.requestSizeBytes()).as("the declared length").isEqualTo(20);
        String other = f.key("free", 100, "ai.chat");
        channel.writeInbound(head(other, 34), last("{\"model\":\"chat-1\",\"messages\":[]}"));
        assertThat(proxied()).as("the connection carries the next request").isEqualTo(200);
    }

    @Test
    void withAValidKeyTheBodyIsReadOnlyOnceAskedForAndItsReservationEndsWithIt() {
        String key = f.key("free", 100, "ai.chat");
        HttpRequest h = head(key, -1);
        h.headers().remove("content-length");
        channel.writeInbound(h);
        assertThat(channel.config().isAutoRead()).as("the key passed: the body is asked for").isTrue();
        assertThat((Object) channel.readOutbound()).isNull();
        channel.writeInbound(piece("{\"model\":\"chat-1\","));
        assertThat(f.budget.used()).as("a chunked body reserves as it arrives").isEqualTo(18);
        channel.writeInbound(last("\"messages\":[]}"));
        assertThat(proxied()).isEqualTo(200);
        assertThat(f.proxy.forwarded().get(0).body()).contains("\"model\":\"chat-1\"");
    }

    @Test
    void aBodyThatCameWithItsHeadStopsNoReadingWhileTheKeyLoads() {
        String key = f.key("free", 100, "ai.chat");
        f.deferKeyLoads = true;
        channel.writeInbound(head(key, 34), last("{\"model\":\"chat-1\",\"messages\":[]}"));
        assertThat(f.keyLoads).as("the key is still loading").isNotEmpty();
        assertThat(channel.config().isAutoRead()).as("the whole body came in the read: nothing to stop").isTrue();
        f.runKeyLoads();
        assertThat(proxied()).isEqualTo(200);
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void aHeadWithoutItsBodyStopsReadingAtTheEndOfTheReadUntilTheKeyPassed() {
        String key = f.key("free", 100, "ai.chat");
        f.deferKeyLoads = true;
        channel.pipeline().fireChannelRead(head(key, 34));
        assertThat(channel.config().isAutoRead()).as("within the read").isTrue();
        channel.pipeline().fireChannelReadComplete();
        assertThat(channel.config().isAutoRead()).as("the read ended without the body, the key is loading").isFalse();
        f.runKeyLoads();
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).as("the key passed: the body is asked for").isTrue();
        channel.writeInbound(last("{\"model\":\"chat-1\",\"messages\":[]}"));
        assertThat(proxied()).isEqualTo(200);
    }

    @Test
    void aBodyThatGoesOnPastTheReadStopsReadingAtItsFirstPiece() {
        String key = f.key("free", 100, "ai.chat");
        f.deferKeyLoads = true;
        channel.pipeline().fireChannelRead(head(key, 34));
        channel.pipeline().fireChannelRead(piece("{\"model\":\"chat-1\","));
        assertThat(channel.config().isAutoRead()).as("stopped before the read's end").isFalse();
        channel.pipeline().fireChannelReadComplete();
        assertThat(f.budget.used()).as("nothing reserved before the key passed").isZero();
        f.runKeyLoads();
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).isTrue();
        channel.writeInbound(last("\"messages\":[]}"));
        assertThat(proxied()).isEqualTo(200);
    }

    @Test
    void expectContinueIsAnsweredOnlyAfterTheKeyPassed() {
        HttpRequest anonymous = head(null, 500);
        anonymous.headers().set("expect", "100-continue");
        channel.writeInbound(anonymous);
        FullHttpResponse r = response();
        assertThat(r.status().code()).as("no 100 Continue for a request without a key").isEqualTo(401);
        r.release();
        channel.writeInbound(last("x".repeat(500)));

        String key = f.key("free", 100, "ai.chat");
        HttpRequest h = head(key, 34);
        h.headers().set("expect", "100-continue");
        channel.writeInbound(h);
        r = response();
        assertThat(r.status()).isEqualTo(HttpResponseStatus.CONTINUE);
        r.release();
        channel.writeInbound(last("{\"model\":\"chat-1\",\"messages\":[]}"));
        assertThat(proxied()).isEqualTo(200);
    }

    @Test
    void aBodyOverTheBudgetIsShedWith503BeforeItIsRead() {
        BodyBudget.Lease others = f.budget.tryReserve(null, 4000);
        String key = f.key("free", 100, "ai.chat");
        channel.writeInbound(head(key, 500));
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.headers().get("retry-after")).isEqualTo("1");
        assertThat(text(r)).contains("\"code\":\"service_unavailable\"");
        assertThat(f.sink.events()).as("the known key's refusal is metered").hasSize(1);
        others.release();
        channel.writeInbound(last("x".repeat(500)));
    }

    @Test
    void aChunkedBodyThatOutgrowsTheBudgetIsShed() {
        BodyBudget.Lease others = f.budget.tryReserve(null, 4000);
        String key = f.key("free", 100, "ai.chat");
        HttpRequest h = head(key, -1);
        channel.writeInbound(h, piece("x".repeat(150)));
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.headers().get("connection")).isEqualTo("close");
        r.release();
        assertThat(f.budget.used()).isEqualTo(4000);
        others.release();
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413WithoutReadingIt() {
        String key = f.key("free", 100, "ai.chat");
        channel.writeInbound(head(key, 5000));
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(413);
        assertThat(r.headers().get("connection")).isEqualTo("close");
        r.release();
        assertThat(f.budget.used()).isZero();
    }

    @Test
    void aBodyThatDoesNotArriveInTimeIs408AndTheConnectionCloses() {
        String key = f.key("free", 100, "ai.chat");
        channel.writeInbound(head(key, 34), piece("{\"model\""));
        assertThat(f.budget.used()).isEqualTo(34);
        channel.advanceTimeBy(BODY_TIMEOUT.toNanos() - 1, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertThat((Object) channel.readOutbound()).as("not before the deadline").isNull();
        channel.writeInbound(piece(":"));
        channel.advanceTimeBy(1, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        FullHttpResponse r = response();
        assertThat(r.status().code()).as("the deadline does not restart with each byte").isEqualTo(408);
        assertThat(r.headers().get("connection")).isEqualTo("close");
        assertThat(text(r)).contains("\"code\":\"request_timeout\"");
        assertThat(channel.isOpen()).isFalse();
        assertThat(f.sink.events()).hasSize(1);
    }

    @Test
    void headersThatDoNotArriveInTimeAre408() {
        ByteBuf firstByte = Unpooled.copiedBuffer("P", StandardCharsets.US_ASCII);
        channel.writeInbound(firstByte);
        channel.advanceTimeBy(HEAD_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(408);
        assertThat(r.headers().get("connection")).isEqualTo("close");
        assertThat(text(r)).contains("\"code\":\"request_timeout\"");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anUploadTheClientDropsIsCountedNotLoggedAndFreed() {
        String key = f.key("free", 100, "ai.chat");
        channel.writeInbound(head(key, 1000), piece("x".repeat(100)));
        assertThat(f.budget.used()).isEqualTo(1000);
        LastHttpContent premature = new DefaultLastHttpContent();
        premature.setDecoderResult(DecoderResult.failure(new PrematureChannelClosureException("gone")));
        channel.writeInbound(premature);
        channel.close();
        channel.runPendingTasks();
        assertThat(f.metrics.disconnects()).containsExactly("body");
        assertThat(f.budget.used()).isZero();
    }
}
