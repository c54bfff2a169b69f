package ai.dalsi.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.DecoderResult;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The admin handler on an EmbeddedChannel: answers, headers, keep-alive, refusals; no leaks. */
class AdminHttpHandlerTest {

    private static AdminDispatcher dispatcher() {
        Router router = new Router()
                .add("GET", "/health/live", Access.OPEN, r -> AdminResponse.json(200, java.util.Map.of("status", "live")))
                .add("POST", "/echo", Access.OPEN, r -> AdminResponse.text(200, "text/plain",
                        r.body().length + " bytes from " + r.clientIp()));
        return new AdminDispatcher(router, new AdminAuthenticator(null, null));
    }

    private static FullHttpRequest request(HttpMethod method, String uri, String body) {
        DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    @Test
    void answersWithARequestIdAndKeepsTheConnection() {
        Executor direct = Runnable::run;
        EmbeddedChannel ch = new EmbeddedChannel(new AdminHttpHandler(dispatcher(), direct));
        ch.writeInbound(request(HttpMethod.GET, "/health/live", ""));
        ch.runPendingTasks();
        FullHttpResponse r = ch.readOutbound();
        try {
            assertThat(r.status().code()).isEqualTo(200);
            assertThat(r.headers().get("x-request-id")).hasSize(36);
            assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("application/json");
            assertThat(r.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
            assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"live\"}");
        } finally {
            r.release();
        }
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.config().isAutoRead()).as("reading resumes after the answer").isTrue();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void connectionCloseIsHonoured() {
        EmbeddedChannel ch = new EmbeddedChannel(new AdminHttpHandler(dispatcher(), Runnable::run));
        FullHttpRequest req = request(HttpMethod.POST, "/echo", "hello");
        req.headers().set(HttpHeaderNames.CONNECTION, "close");
        ch.writeInbound(req);
        ch.runPendingTasks();
        FullHttpResponse r = ch.readOutbound();
        try {
            assertThat(r.content().toString(StandardCharsets.UTF_8)).startsWith("5 bytes from");
            assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        } finally {
            r.release();
        }
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void busyWorkersGet503WithRetryAfter() {
        Executor full = task -> {
            throw new RejectedExecutionException("queue full");
        };
        EmbeddedChannel ch = new EmbeddedChannel(new AdminHttpHandler(dispatcher(), full));
        ch.writeInbound(request(HttpMethod.GET, "/health/live", ""));
        FullHttpResponse r = ch.readOutbound();
        try {
            assertThat(r.status().code()).isEqualTo(503);
            assertThat(r.headers().get("retry-after")).isEqualTo("1");
        } finally {
            r.release();
        }
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void malformedRequestIs400AndCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new AdminHttpHandler(dispatcher(), Runnable::run));
        FullHttpRequest bad = request(HttpMethod.GET, "/health/live", "");
        bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad header")));
        ch.writeInbound(bad);
        FullHttpResponse r = ch.readOutbound();
        try {
            assertThat(r.status().code()).isEqualTo(400);
        } finally {
            r.release();
        }
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void bodiesOverTheLimitAre413() {
        EmbeddedChannel ch = new EmbeddedChannel(new io.netty.handler.codec.http.HttpServerCodec(),
                new HttpObjectAggregator(1024), new AdminHttpHandler(dispatcher(), Runnable::run));
        String big = "x".repeat(2048);
        ch.writeInbound(Unpooled.copiedBuffer("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + big.length()
                + "\r\n\r\n" + big, StandardCharsets.US_ASCII));
        ch.runPendingTasks();
        Object out = ch.readOutbound();
        try {
            io.netty.buffer.ByteBuf buf = (io.netty.buffer.ByteBuf) out;
            assertThat(buf.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 413");
        } finally {
            io.netty.util.ReferenceCountUtil.release(out);
        }
        ch.finishAndReleaseAll();
    }
}
