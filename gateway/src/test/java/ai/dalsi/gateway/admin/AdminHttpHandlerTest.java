package ai.dalsi.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.dalsi.gateway.config.AdminLoginConfig;
import ai.dalsi.gateway.testing.FakeTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The admin handler on an EmbeddedChannel: answers, headers, order, keep-alive, refusals; no leaks. */
class AdminHttpHandlerTest {

    private static final String TOKEN = "handler-test-token-0123";

    /** Runs tasks only when told. */
    private static final class HeldExecutor implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runOne() {
            tasks.remove().run();
        }
    }

    private static AdminDispatcher dispatcher(Executor workers) {
        return dispatcher(workers, null, Duration.ZERO);
    }

    private static AdminDispatcher dispatcher(Executor workers, ScheduledExecutorService timer, Duration delay) {
        Router router = new Router()
                .add("GET", "/health/live", Access.OPEN, r -> AdminResponse.json(200, Map.of("status", "live")))
                .add("GET", "/echo/{word}", Access.OPEN, r -> AdminResponse.text(200, "text/plain",
                        r.pathParams().get("word")))
                .add("POST", "/echo", Access.OPEN, r -> AdminResponse.text(200, "text/plain",
                        r.body().length + " bytes from " + r.clientIp()))
                .add("GET", "/admin/things", Access.ADMIN, r -> AdminResponse.json(200, Map.of("things", 0)));
        FakeTime time = FakeTime.startingNow();
        AdminMetrics metrics = new AdminMetrics(new SimpleMeterRegistry());
        AdminAuthenticator auth = new AdminAuthenticator(TOKEN, null,
                new LoginThrottle(AdminLoginConfig.defaults(), time, time),
                new VerifiedLogins(AdminLoginConfig.defaults().verifiedTtl(), time), Runnable::run, metrics);
        return new AdminDispatcher(router, auth, new CrossSiteGuard(List.of()), workers, timer, delay, metrics);
    }

    private static FullHttpRequest request(HttpMethod method, String uri, String body) {
        DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    /** Everything written so far, as one text. */
    private static String outbound(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            try {
                sb.append(((ByteBuf) o).toString(StandardCharsets.UTF_8));
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        return sb.toString();
    }

    @Test
    void answersWithARequestIdAndKeepsTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new AdminHttpHandler(dispatcher(Runnable::run)));
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
        EmbeddedChannel ch = new EmbeddedChannel(new AdminHttpHandler(dispatcher(Runnable::run)));
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
    void pipelinedRequestsAreAnsweredOneAtATimeInRequestOrder() {
        HeldExecutor workers = new HeldExecutor();
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new AdminServerInitializer.BodyLimit(1024),
                new AdminHttpHandler(dispatcher(workers)));
        ch.writeInbound(Unpooled.copiedBuffer("GET /echo/first HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /echo/second HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /echo/third HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat(workers.tasks).as("only the first request is being served").hasSize(1);
        assertThat(ch.config().isAutoRead()).as("no reading while requests wait").isFalse();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertThat(workers.tasks).as("one request at a time").hasSize(1);
            workers.runOne();
            ch.runPendingTasks();
            String out = outbound(ch);
            Matcher m = Pattern.compile("\r\n\r\n(\\w+)$").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            bodies.add(m.group(1));
        }
        assertThat(bodies).containsExactly("first", "second", "third");
        assertThat(ch.isOpen()).as("closed after the answer to Connection: close").isFalse();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void busyWorkersGet503WithRetryAfter() {
        Executor full = task -> {
            throw new RejectedExecutionException("queue full");
        };
        EmbeddedChannel ch = new EmbeddedChannel(new AdminHttpHandler(dispatcher(full)));
        ch.writeInbound(request(HttpMethod.GET, "/health/live", ""));
        FullHttpResponse r = ch.readOutbound();
        try {
            assertThat(r.status().code()).isEqualTo(503);
            assertThat(r.headers().get("retry-after")).isEqualTo("1");
            assertThat(r.content().toString(StandardCharsets.UTF_8)).contains("\"error\"");
        } finally {
            r.release();
        }
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void malformedRequestIs400JsonAndCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new AdminHttpHandler(dispatcher(Runnable::run)));
        FullHttpRequest bad = request(HttpMethod.GET, "/health/live", "");
        bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad header")));
        ch.writeInbound(bad);
        FullHttpResponse r = ch.readOutbound();
        try {
            assertThat(r.status().code()).isEqualTo(400);
            assertThat(r.content().toString(StandardCharsets.UTF_8))
                    .isEqualTo("{\"error\":{\"message\":\"malformed HTTP request\",\"field\":null}}");
        } finally {
            r.release();
        }
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void bodiesOverTheLimitAre413InTheAdminApisJson() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new AdminServerInitializer.BodyLimit(1024),
                new AdminHttpHandler(dispatcher(Runnable::run)));
        String big = "x".repeat(2048);
        ch.writeInbound(Unpooled.copiedBuffer("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + big.length()
                + "\r\n\r\n" + big, StandardCharsets.US_ASCII));
        ch.runPendingTasks();
        String out = outbound(ch);
        assertThat(out).startsWith("HTTP/1.1 413").contains("content-type: application/json")
                .endsWith("{\"error\":{\"message\":\"body: larger than 1024 bytes (expected: at most"
                        + " admin.maxRequestBytes)\",\"field\":\"body\"}}");
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aRefusedLoginIsAnsweredAfterTheFailureDelayWithoutHoldingAThread() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new AdminHttpHandler(dispatcher(Runnable::run, ch.eventLoop(), Duration.ofSeconds(1))));
        FullHttpRequest wrong = request(HttpMethod.GET, "/admin/things", "");
        wrong.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer not-the-token");
        ch.writeInbound(wrong);
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).as("nothing yet").isNull();
        ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat((Object) ch.readOutbound()).as("nothing before the delay").isNull();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        FullHttpResponse r = ch.readOutbound();
        try {
            assertThat(r.status().code()).isEqualTo(401);
        } finally {
            r.release();
        }
        FullHttpRequest right = request(HttpMethod.GET, "/admin/things", "");
        right.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + TOKEN);
        ch.writeInbound(right);
        ch.runPendingTasks();
        FullHttpResponse ok = ch.readOutbound();
        try {
            assertThat(ok.status().code()).as("the right token is answered at once").isEqualTo(200);
        } finally {
            ok.release();
        }
        assertFalse(ch.finishAndReleaseAll());
    }
}
