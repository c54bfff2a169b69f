package ai.dalsi.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import ai.dalsi.gateway.ratelimit.RateWindow;
import ai.dalsi.gateway.testing.FakeTime;
import ai.dalsi.persistence.UuidV7;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Handler tests on an {@link EmbeddedChannel}: sequencing, header stamping, the body limit. */
class EdgeHandlersTest {

    private final FakeTime time = new FakeTime(Instant.parse("2026-02-03T04:05:06.789Z"));
    private final ConnectionState state = new ConnectionState();
    private final EdgeLifecycle lifecycle = new EdgeLifecycle();
    private final List<Exchange> seen = new ArrayList<>();

    private final ChannelInboundHandlerAdapter collector = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add((Exchange) msg);
        }
    };

    private static DefaultFullHttpRequest get(String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    private static FullHttpResponse ok() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
    }

    private static void releaseOutbound(EmbeddedChannel ch, int expected) {
        for (int i = 0; i < expected; i++) {
            FullHttpResponse r = ch.readOutbound();
            assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
            r.release();
        }
    }

    @Test
    void requestsAreServedOneAtATimeInOrder() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestSequencer(state, lifecycle, time), collector);
        ch.writeInbound(get("/a"), get("/b?x=1"));
        assertThat(seen).hasSize(1);
        Exchange a = seen.get(0);
        assertThat(a.path).isEqualTo("/a");
        assertThat(UuidV7.instant(a.id)).isEqualTo(Instant.parse("2026-02-03T04:05:06.789Z"));
        assertThat(ch.config().isAutoRead()).as("no reading while a request waits").isFalse();
        ch.writeOutbound(ok());
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).path).isEqualTo("/b");
        assertThat(seen.get(1).uri).isEqualTo("/b?x=1");
        assertThat(state.current).isSameAs(seen.get(1));
        ch.writeOutbound(ok());
        assertThat(state.current).isNull();
        assertThat(ch.config().isAutoRead()).isTrue();
        releaseOutbound(ch, 2);
        seen.forEach(Exchange::releaseBody);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void waitingRequestsAreReleasedWhenTheConnectionCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestSequencer(state, lifecycle, time), collector);
        DefaultFullHttpRequest waiting = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/b",
                Unpooled.copiedBuffer(new byte[] {1, 2, 3}));
        ch.writeInbound(get("/a"), waiting);
        ch.close();
        assertThat(waiting.refCnt()).isZero();
        seen.forEach(Exchange::releaseBody);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void idleConnectionsCloseOnlyWithNothingInFlight() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestSequencer(state, lifecycle, time), collector);
        ch.writeInbound(get("/a"));
        ch.pipeline().fireUserEventTriggered(ReadDeadlines.Expired.IDLE);
        assertThat(ch.isOpen()).isTrue();
        ch.writeOutbound(ok());
        ch.pipeline().fireUserEventTriggered(ReadDeadlines.Expired.IDLE);
        assertThat(ch.isOpen()).isFalse();
        releaseOutbound(ch, 1);
        seen.forEach(Exchange::releaseBody);
        assertFalse(ch.finishAndReleaseAll());
    }

    /** A new exchange in flight whose limiter decided {@code d} (each exchange learns its decision once). */
    private Exchange admitted(RateLimitDecision d) {
        Exchange ex = Exchange.of(UuidV7.at(time.millis()), 0, get("/x"));
        ex.learn(new Learned.Admitted(d));
        state.current = ex;
        return ex;
    }

    @Test
    void responsesGetTheRequestIdAndTheLimitHeaders() {
        EmbeddedChannel ch = new EmbeddedChannel(new ResponseHeadersHandler(state, lifecycle));
        Exchange ex = admitted(new RateLimitDecision.Allowed(RateWindow.HOUR, 100, 42, Duration.ofMinutes(6).toNanos()));
        ch.writeOutbound(ok());
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.headers().get("x-request-id")).isEqualTo(ex.idText);
        assertThat(r.headers().get("x-ratelimit-limit-requests")).isEqualTo("100");
        assertThat(r.headers().get("x-ratelimit-remaining-requests")).isEqualTo("42");
        assertThat(r.headers().get("x-ratelimit-reset-requests")).isEqualTo("6m0s");
        assertThat(r.headers().contains(HttpHeaderNames.RETRY_AFTER)).isFalse();
        r.release();

        ex = admitted(new RateLimitDecision.Limited(RateWindow.MINUTE, 60, 1_500_000_000L, Duration.ofMinutes(1).toNanos()));
        lifecycle.startDraining();
        FullHttpResponse limited = ok();
        limited.headers().set("x-request-id", "from-backend");
        ch.writeOutbound(limited);
        r = ch.readOutbound();
        assertThat(r.headers().getAll("x-request-id")).containsExactly(ex.idText);
        assertThat(r.headers().get("x-ratelimit-remaining-requests")).isEqualTo("0");
        assertThat(r.headers().get("retry-after")).isEqualTo("2");
        assertThat(r.headers().get("retry-after-ms")).isEqualTo("1500");
        assertThat(r.headers().get("connection")).isEqualTo("close");
        r.release();

        admitted(RateLimitDecision.UNLIMITED);
        ch.writeOutbound(ok());
        r = ch.readOutbound();
        assertThat(r.headers().contains("x-ratelimit-limit-requests")).isFalse();
        r.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void exchangeIdsAreUuidV7OfTheClock() {
        UUID id = UuidV7.at(time.millis());
        Exchange ex = Exchange.of(id, 0, get("/v1/models?x"));
        assertThat(ex.path).isEqualTo("/v1/models");
        assertThat(ex.idText).isEqualTo(id.toString());
        assertThat(ex.productTag()).isEqualTo("none");
        assertThat(ex.tierTag()).isEqualTo("none");
    }
}
