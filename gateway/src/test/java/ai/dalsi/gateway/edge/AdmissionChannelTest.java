package ai.dalsi.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.metering.TokenUsage;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Admission on the real handlers: token limits and budgets reserve a request's worst case (an empty
 * chat prompt is 3 tokens, plus {@code max_tokens}; the chat product costs $1 per 1k tokens), the
 * end of the exchange settles it to the usage the backend reported (10 + 20 tokens), and the
 * refusals and headers are OpenAI's.
 */
class AdmissionChannelTest {

    private final StepFixture f = new StepFixture();
    private final EmbeddedChannel channel = f.channel();

    @AfterEach
    void finish() {
        assertFalse(channel.finishAndReleaseAll());
    }

    private static FullHttpRequest chat(String key, int maxTokens) {
        return StepFixture.request(HttpMethod.POST, StepFixture.CHAT, key,
                "{\"model\":\"" + StepFixture.CHAT_MODEL + "\",\"messages\":[],\"max_tokens\":" + maxTokens + "}");
    }

    /** Sends the request and returns the response head, releasing whatever body followed. */
    private HttpResponse exchange(FullHttpRequest request) {
        channel.writeInbound(request);
        HttpResponse head = (HttpResponse) channel.readOutbound();
        Object more;
        while ((more = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(more);
        }
        return head;
    }

    private static String body(HttpResponse r) {
        FullHttpResponse full = (FullHttpResponse) r;
        String s = full.content().toString(StandardCharsets.UTF_8);
        full.release();
        return s;
    }

    private static void release(HttpResponse r) {
        ReferenceCountUtil.release(r);
    }

    @Test
    void aTokenLimitReservesTheWorstCaseSettlesToTheUsageAndRefusesWhatNoLongerFits() {
        String key = f.keyWithLimits(150L, null, null);
        HttpResponse a = exchange(chat(key, 60));
        assertThat(a.status().code()).isEqualTo(200);
        assertThat(a.headers().get("x-ratelimit-limit-tokens")).isEqualTo("150");
        assertThat(a.headers().get("x-ratelimit-remaining-tokens")).as("150 - (3 + 60) reserved").isEqualTo("87");
        assertThat(a.headers().get("x-ratelimit-reset-tokens")).isNotEmpty();
        assertThat(a.headers().get("x-ratelimit-limit-requests")).isEqualTo("100");
        release(a);

        HttpResponse b = exchange(chat(key, 100));
        assertThat(b.status().code()).isEqualTo(200);
        assertThat(b.headers().get("x-ratelimit-remaining-tokens")).as("the first settled to 30").isEqualTo("17");
        release(b);

        HttpResponse c = exchange(chat(key, 100));
        assertThat(c.status().code()).isEqualTo(429);
        assertThat(c.headers().get("x-ratelimit-limit-tokens")).isEqualTo("150");
        assertThat(c.headers().get("x-ratelimit-remaining-tokens")).isEqualTo("90");
        assertThat(c.headers().get("retry-after")).isNotEmpty();
        assertThat(Long.parseLong(c.headers().get("retry-after-ms"))).isPositive();
        assertThat(c.headers().get("x-ratelimit-remaining-requests")).as("request headers as before").isEqualTo("98");
        assertThat(c.headers().get("x-should-retry")).isNull();
        assertThat(body(c)).contains("\"type\":\"tokens\"", "\"code\":\"rate_limit_exceeded\"",
                "tokens per min (TPM): Limit 150, Used 60, Requested 103. Please try again in");
        assertThat(f.proxy.forwarded()).hasSize(2);
        assertThat(f.sink.events()).last().satisfies(e -> assertThat(e.refused()).isTrue());
    }

    @Test
    void aRequestTheBackendNeverServedGivesItsTokensBack() {
        String key = f.keyWithLimits(120L, null, null);
        f.proxy.failWith(ErrorCode.UPSTREAM_ERROR);
        HttpResponse failed = exchange(chat(key, 100));
        assertThat(failed.status().code()).isEqualTo(502);
        release(failed);
        f.proxy.failWith(null);
        f.proxy.respond(500, "{\"error\":{\"message\":\"boom\"}}", null);
        HttpResponse refused = exchange(chat(key, 100));
        assertThat(refused.status().code()).isEqualTo(500);
        release(refused);
        f.proxy.respond(200, "{\"choices\":[]}", TokenUsage.reported(10, 20, 0));
        HttpResponse ok = exchange(chat(key, 100));
        assertThat(ok.status().code()).as("the two earlier reservations of 103 were given back").isEqualTo(200);
        assertThat(ok.headers().get("x-ratelimit-remaining-tokens")).isEqualTo("17");
        release(ok);
    }

    @Test
    void aKeyBudgetRefusesWithInsufficientQuotaOnceSpendPlusTheWorstCaseWouldCrossIt() {
        String key = f.keyWithLimits(null, new BigDecimal("0.05"), null);
        HttpResponse tooDear = exchange(chat(key, 100));
        assertThat(tooDear.status().code()).as("$0.103 worst case over $0.05").isEqualTo(429);
        assertThat(tooDear.headers().get("x-should-retry")).isEqualTo("false");
        assertThat(tooDear.headers().get("retry-after")).isNull();
        assertThat(body(tooDear)).contains("\"type\":\"insufficient_quota\"", "\"code\":\"insufficient_quota\"",
                "You exceeded your current quota", "This API key's monthly budget is $0.05");
        assertThat(f.proxy.forwarded()).isEmpty();

        HttpResponse ok = exchange(chat(key, 40));
        assertThat(ok.status().code()).as("$0.043 fits").isEqualTo(200);
        assertThat(ok.headers().get("x-ratelimit-limit-tokens")).as("no token limits, no token headers").isNull();
        release(ok);
        HttpResponse after = exchange(chat(key, 40));
        assertThat(after.status().code()).as("$0.03 spent + $0.043 > $0.05").isEqualTo(429);
        assertThat(body(after)).contains("insufficient_quota");
    }

    @Test
    void aUserBudgetRefusesTheSameWay() {
        String key = f.keyWithLimits(null, null, new BigDecimal("0.05"));
        HttpResponse r = exchange(chat(key, 100));
        assertThat(r.status().code()).isEqualTo(429);
        assertThat(r.headers().get("x-should-retry")).isEqualTo("false");
        assertThat(body(r)).contains("Your account's monthly budget is $0.05");
    }

    @Test
    void aRefusalBeforeAdmissionStillShowsTheTokenWindow() {
        String key = f.keyWithLimits(150L, null, null);
        HttpResponse r = exchange(StepFixture.request(HttpMethod.POST, StepFixture.CHAT, key,
                "{\"model\":\"no-such-model\",\"messages\":[]}"));
        assertThat(r.status().code()).isEqualTo(404);
        assertThat(r.headers().get("x-ratelimit-limit-tokens")).isEqualTo("150");
        assertThat(r.headers().get("x-ratelimit-remaining-tokens")).isEqualTo("150");
        assertThat(r.headers().get("x-ratelimit-reset-tokens")).isEqualTo("0s");
        assertThat(r.headers().get("x-ratelimit-limit-requests")).isEqualTo("100");
        release(r);
    }
}
