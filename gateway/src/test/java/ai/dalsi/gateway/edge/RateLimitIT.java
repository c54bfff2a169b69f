package ai.dalsi.gateway.edge;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.Responses.error;
import static ai.dalsi.gateway.testing.Responses.requestId;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each of the three windows limits on its own, with the rate-limit headers of the tightest
 * window, and refills as (fake) time moves. Every test uses its own key and its own edge clock
 * moves only forward, so the tests do not disturb each other.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RateLimitIT {

    private final TestEdge edge;

    RateLimitIT(TestDatabase db) {
        edge = TestEdge.builder(db).start();
    }

    @AfterAll
    void stop() {
        edge.close();
    }

    private static void headers(HttpResponse<?> r, String limit, String remaining, String reset) {
        assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).hasValue(limit);
        assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue(remaining);
        assertThat(r.headers().firstValue("x-ratelimit-reset-requests")).hasValue(reset);
    }

    private HttpResponse<String> limited(String key, String window, String retryAfter, String retryAfterMs) {
        var r = edge.chat(key, CHAT_MODEL);
        var err = error(r, 429, "rate_limit_exceeded", "rate_limit_error");
        assertThat(err.get("message").asText()).contains(window);
        assertThat(r.headers().firstValue("retry-after")).hasValue(retryAfter);
        assertThat(r.headers().firstValue("retry-after-ms")).hasValue(retryAfterMs);
        assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.rateLimitRemaining()).isZero();
        return r;
    }

    @Test
    void perMinuteLimitsOnItsOwn() {
        String key = edge.seed.key(KeySpec.chat().withLimits(3, 100, 1000));
        var first = edge.chat(key, CHAT_MODEL);
        assertThat(first.statusCode()).isEqualTo(200);
        headers(first, "3", "2", "20s");
        UsageEvent e = edge.sink.only(requestId(first));
        assertThat(e.rateLimitRemaining()).isEqualTo(2);
        assertThat(e.rateLimitReset()).isEqualTo(edge.time.instant().plusSeconds(20));
        headers(edge.chat(key, CHAT_MODEL), "3", "1", "40s");
        headers(edge.chat(key, CHAT_MODEL), "3", "0", "1m0s");
        var refused = limited(key, "per minute", "20", "20000");
        headers(refused, "3", "0", "1m0s");
        edge.time.advance(Duration.ofSeconds(19));
        limited(key, "per minute", "1", "1000");
        edge.time.advance(Duration.ofSeconds(1));
        var again = edge.chat(key, CHAT_MODEL);
        assertThat(again.statusCode()).isEqualTo(200);
        headers(again, "3", "0", "1m0s");
    }

    @Test
    void perHourLimitsOnItsOwn() {
        String key = edge.seed.key(KeySpec.chat().withLimits(100, 3, 1000));
        var first = edge.chat(key, CHAT_MODEL);
        headers(first, "3", "2", "20m0s");
        edge.chat(key, CHAT_MODEL);
        headers(edge.chat(key, CHAT_MODEL), "3", "0", "1h0m0s");
        limited(key, "per hour", "1200", "1200000");
        edge.time.advance(Duration.ofMinutes(1)); // a minute refills the minute window, not the hour
        limited(key, "per hour", "1140", "1140000");
        edge.time.advance(Duration.ofMinutes(19));
        assertThat(edge.chat(key, CHAT_MODEL).statusCode()).isEqualTo(200);
    }

    @Test
    void perDayLimitsOnItsOwn() {
        String key = edge.seed.key(KeySpec.chat().withLimits(100, 1000, 2));
        headers(edge.chat(key, CHAT_MODEL), "2", "1", "12h0m0s");
        headers(edge.chat(key, CHAT_MODEL), "2", "0", "24h0m0s");
        limited(key, "per day", "43200", "43200000");
        edge.time.advance(Duration.ofHours(1)); // an hour refills minute and hour, not the day
        limited(key, "per day", "39600", "39600000");
        edge.time.advance(Duration.ofHours(11));
        assertThat(edge.chat(key, CHAT_MODEL).statusCode()).isEqualTo(200);
    }

    @Test
    void internalKeysAreExemptAndCarryNoLimitHeaders() {
        String key = edge.seed.key(KeySpec.chat().withLimits(1, 1, 1).withInternal(true));
        for (int i = 0; i < 5; i++) {
            var r = edge.chat(key, CHAT_MODEL);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
            assertThat(edge.sink.only(requestId(r)).rateLimitRemaining()).isNull();
        }
    }

    @Test
    void limitsCountPerKey() {
        String a = edge.seed.key(KeySpec.chat().withLimits(1, 100, 1000));
        String b = edge.seed.key(KeySpec.chat().withLimits(1, 100, 1000));
        assertThat(edge.chat(a, CHAT_MODEL).statusCode()).isEqualTo(200);
        assertThat(edge.chat(a, CHAT_MODEL).statusCode()).isEqualTo(429);
        assertThat(edge.chat(b, CHAT_MODEL).statusCode()).isEqualTo(200);
    }

    @Test
    void aChangedLimitAppliesOnceTheKeyIsRefreshed() {
        String key = edge.seed.key(KeySpec.chat().withLimits(1, 100, 1000));
        assertThat(edge.chat(key, CHAT_MODEL).statusCode()).isEqualTo(200);
        assertThat(edge.chat(key, CHAT_MODEL).statusCode()).isEqualTo(429);
        edge.seed.limits(key, 5, 100, 1000);
        // Older than the refresh interval (30 s): the next use reloads the key in the background.
        edge.time.advance(Duration.ofSeconds(31));
        Eventually.await("the raised limit applies", () -> {
            var r = edge.chat(key, CHAT_MODEL);
            return r.statusCode() == 200 && r.headers().firstValue("x-ratelimit-limit-requests").orElse("").equals("5");
        });
    }

    @Test
    void refusalsBeforeTheLimitStepStillCarryTheHeadersWithoutTakingARequest() {
        String key = edge.seed.key(KeySpec.chat().withLimits(2, 100, 1000));
        var notFound = edge.chat(key, "no-such-model");
        assertThat(notFound.statusCode()).isEqualTo(404);
        headers(notFound, "2", "2", "0s");
        headers(edge.chat(key, CHAT_MODEL), "2", "1", "30s");
    }
}
