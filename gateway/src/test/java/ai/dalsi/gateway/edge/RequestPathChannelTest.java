package ai.dalsi.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.dalsi.metering.UsageEvent;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each step of the request path inside the real handlers on an {@link EmbeddedChannel} (the
 * sequencer, the stamp, the path handler): the response each step's refusal gives (status, error
 * code, headers), and the usage event it leaves for a known key.
 */
class RequestPathChannelTest {

    private final StepFixture f = new StepFixture();
    private final EmbeddedChannel channel = f.channel();

    @AfterEach
    void finish() {
        assertFalse(channel.finishAndReleaseAll());
    }

    /** Sends the request and returns the one full response the edge wrote. */
    private FullHttpResponse answer(FullHttpRequest request) {
        channel.writeInbound(request);
        Object out = channel.readOutbound();
        assertThat(out).as("a full response of the edge's own").isInstanceOf(FullHttpResponse.class);
        assertThat((Object) channel.readOutbound()).isNull();
        return (FullHttpResponse) out;
    }

    private static String body(FullHttpResponse r) {
        String s = r.content().toString(StandardCharsets.UTF_8);
        r.release();
        return s;
    }

    private UsageEvent onlyEvent(FullHttpResponse r) {
        return f.sink.only(r.headers().get("x-request-id"));
    }

    @Test
    void context_anUndecodableRequestIs400AndClosesTheConnection() {
        FullHttpRequest broken = StepFixture.chat(null, "chat-1");
        broken.setDecoderResult(io.netty.handler.codec.DecoderResult.failure(new IllegalArgumentException("bad")));
        FullHttpResponse r = answer(broken);
        assertThat(r.status().code()).isEqualTo(400);
        assertThat(r.headers().get("connection")).isEqualTo("close");
        assertThat(r.headers().get("x-request-id")).isNotEmpty();
        assertThat(body(r)).contains("\"code\":\"invalid_request\"");
    }

    @Test
    void authenticate_noKeyIs401WithoutRateLimitHeadersOrAnEvent() {
        FullHttpResponse r = answer(StepFixture.chat(null, "chat-1"));
        assertThat(r.status().code()).isEqualTo(401);
        assertThat(r.headers().contains("x-ratelimit-limit-requests")).isFalse();
        assertThat(f.sink.events()).isEmpty();
        assertThat(body(r)).contains("\"code\":\"invalid_api_key\"", "You didn't provide an API key");
    }

    @Test
    void keyCheck_aRevokedKeyIs401RevokedWithTheLimitHeadersAndACountedRefusal() {
        String key = f.key("free", 5, Instant.parse("2026-05-01T00:00:00Z"), "ai.chat");
        FullHttpResponse r = answer(StepFixture.chat(key, "chat-1"));
        assertThat(r.status().code()).isEqualTo(401);
        assertThat(r.headers().get("x-ratelimit-limit-requests")).isEqualTo("5");
        assertThat(r.headers().get("x-ratelimit-remaining-requests")).as("a peek takes nothing").isEqualTo("5");
        UsageEvent e = onlyEvent(r);
        assertThat(e.statusCode()).isEqualTo(401);
        assertThat(e.refused()).isTrue();
        assertThat(body(r)).contains("\"code\":\"api_key_revoked\"");
    }

    @Test
    void route_aKnownPathWithAnotherMethodIs405WithAllow() {
        String key = f.key("free", 5, "ai.chat");
        FullHttpResponse r = answer(StepFixture.request(HttpMethod.GET, StepFixture.CHAT, key, null));
        assertThat(r.status().code()).isEqualTo(405);
        assertThat(r.headers().get("allow")).isEqualTo("POST");
        assertThat(onlyEvent(r).refused()).isTrue();
        assertThat(body(r)).contains("\"code\":\"method_not_allowed\"");
    }

    @Test
    void body_aBodyWithoutModelIs400NamingTheField() {
        String key = f.key("free", 5, "ai.chat");
        FullHttpResponse r = answer(StepFixture.request(HttpMethod.POST, StepFixture.CHAT, key, "{\"messages\":[]}"));
        assertThat(r.status().code()).isEqualTo(400);
        assertThat(r.headers().get("x-ratelimit-remaining-requests")).isEqualTo("5");
        assertThat(body(r)).contains("\"param\":\"model\"");
    }

    @Test
    void authorize_aModelForSubscribersIs403ForAFreeKeyAndNamesTheModelInItsEvent() {
        String key = f.key("free", 5, "ai.chat");
        FullHttpResponse r = answer(StepFixture.chat(key, StepFixture.VISION_MODEL));
        int status = r.status().code();
        UsageEvent e = onlyEvent(r);
        String body = body(r);
        assertThat(status).isEqualTo(403);
        assertThat(e.model()).isEqualTo(StepFixture.VISION_MODEL);
        assertThat(e.product()).isEqualTo("ai.chat");
        assertThat(body).contains("\"code\":\"subscription_required\"");
    }

    @Test
    void rateLimit_overTheLimitIs429WithRetryAfterAndTheRemainingZero() {
        String key = f.key("free", 1, "ai.chat");
        FullHttpRequest first = StepFixture.chat(key, StepFixture.CHAT_MODEL);
        channel.writeInbound(first);
        Object head = channel.readOutbound();
        assertThat(((HttpResponse) head).status().code()).isEqualTo(200);
        ReferenceCountUtil.release(head);
        Object last = channel.readOutbound();
        assertThat(last).isInstanceOf(HttpContent.class);
        ReferenceCountUtil.release(last);

        FullHttpResponse r = answer(StepFixture.chat(key, StepFixture.CHAT_MODEL));
        assertThat(r.status().code()).isEqualTo(429);
        assertThat(r.headers().get("x-ratelimit-remaining-requests")).isEqualTo("0");
        assertThat(r.headers().get("retry-after")).isEqualTo("60");
        assertThat(r.headers().get("retry-after-ms")).isEqualTo("60000");
        UsageEvent e = onlyEvent(r);
        assertThat(e.refused()).isTrue();
        assertThat(e.rateLimitRemaining()).isZero();
        assertThat(body(r)).contains("\"code\":\"rate_limit_exceeded\"", "per minute");
    }

    @Test
    void models_theListIs200WithTheLimitHeadersAndARowOfItsOwn() {
        String key = f.key("free", 5, "ai.chat");
        FullHttpResponse r = answer(StepFixture.request(HttpMethod.GET, "/v1/models", key, null));
        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.headers().get("x-ratelimit-remaining-requests")).isEqualTo("4");
        assertThat(onlyEvent(r).refused()).as("answered, not refused").isFalse();
        assertThat(body(r)).contains("\"id\":\"chat-1\"");
    }

    @Test
    void proxy_aFullSinkIs503BeforeTheBackendAndAProxiedRequestIsNotARefusal() {
        String key = f.key("free", 5, "ai.chat");
        f.sink.accepting(false);
        FullHttpResponse refused = answer(StepFixture.chat(key, StepFixture.CHAT_MODEL));
        assertThat(refused.status().code()).isEqualTo(503);
        assertThat(f.proxy.forwarded()).isEmpty();
        assertThat(body(refused)).contains("\"code\":\"service_unavailable\"");

        f.sink.accepting(true);
        channel.writeInbound(StepFixture.chat(key, StepFixture.CHAT_MODEL));
        HttpResponse head = channel.readOutbound();
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.headers().get("x-request-id")).as("the stamp replaces the backend's id")
                .isEqualTo(f.proxy.last().requestId());
        ReferenceCountUtil.release(head);
        ReferenceCountUtil.release(channel.readOutbound());
        assertThat(f.proxy.last().headers().contains("authorization")).isFalse();
        assertThat(f.sink.only(f.proxy.last().requestId()).refused()).isFalse();
    }
}
