package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LocalKeyRateLimiterTest {

    private final FakeTime time = new FakeTime(Instant.parse("2026-01-01T00:00:00Z"));
    private final KeyRateLimiter limiter = newLimiter(time);
    private final UUID key = UUID.randomUUID();

    /** The limiter under test; {@link RedisKeyRateLimiterIT} runs the same behaviour against Redis. */
    protected KeyRateLimiter newLimiter(FakeTime time) {
        return KeyRateLimiter.local(time, time, 1000);
    }

    private RateLimitDecision acquire(RateLimits limits) {
        return limiter.acquire(key, limits).join();
    }

    @ParameterizedTest
    @EnumSource(RateWindow.class)
    void eachWindowLimitsOnItsOwn(RateWindow window) {
        RateLimits limits = new RateLimits(window == RateWindow.MINUTE ? 2 : 1000,
                window == RateWindow.HOUR ? 2 : 1000, window == RateWindow.DAY ? 2 : 100_000);
        assertThat(acquire(limits)).isEqualTo(new RateLimitDecision.Allowed(window, 2, 1,
                window.period().toNanos() / 2));
        assertThat(acquire(limits)).isEqualTo(new RateLimitDecision.Allowed(window, 2, 0, window.period().toNanos()));
        RateLimitDecision refused = acquire(limits);
        assertThat(refused).isEqualTo(new RateLimitDecision.Limited(window, 2, window.period().toNanos() / 2,
                window.period().toNanos()));
        time.advance(window.period().dividedBy(2));
        assertThat(acquire(limits)).isInstanceOf(RateLimitDecision.Allowed.class);
    }

    @Test
    void theRefusingWindowIsTheOneThatTakesLongest() {
        RateLimits limits = new RateLimits(1, 1000, 1);
        acquire(limits);
        RateLimitDecision.Limited l = (RateLimitDecision.Limited) acquire(limits);
        assertThat(l.window()).isEqualTo(RateWindow.DAY);
        assertThat(l.retryAfterNanos()).isEqualTo(Duration.ofDays(1).toNanos());
    }

    @Test
    void unlimitedKeysAreNeverRefused() {
        for (int i = 0; i < 100; i++) {
            assertThat(acquire(RateLimits.UNLIMITED)).isEqualTo(RateLimitDecision.UNLIMITED);
        }
        assertThat(limiter.peek(key, RateLimits.UNLIMITED).join()).isEqualTo(RateLimitDecision.UNLIMITED);
    }

    /** Whether the limiter knows a full window from this process's memory, without a round trip. */
    protected boolean knowsFullWindowsLocally() {
        return true;
    }

    @Test
    void aFullWindowIsKnownWithoutTakingAnythingAsTheRefusalAcquireGives() {
        RateLimits limits = new RateLimits(2, 100, 1000);
        assertThat(limiter.fullWindow(key, limits, TokenLimits.UNLIMITED)).as("no request yet").isNull();
        acquire(limits);
        assertThat(limiter.fullWindow(key, limits, TokenLimits.UNLIMITED)).as("one left").isNull();
        assertThat(acquire(limits)).as("looking took nothing").isInstanceOf(RateLimitDecision.Allowed.class);
        AdmissionDecision.RequestsRefused full = limiter.fullWindow(key, limits, TokenLimits.UNLIMITED);
        RateLimitDecision refused = acquire(limits);
        assertThat(refused).isInstanceOf(RateLimitDecision.Limited.class);
        if (knowsFullWindowsLocally()) {
            assertThat(full.requests()).isEqualTo(refused);
            assertThat(full.tokens()).as("no token limits").isNull();
        } else {
            assertThat(full).as("a shared store is left to admission's one round trip").isNull();
        }
        assertThat(limiter.fullWindow(key, RateLimits.UNLIMITED, TokenLimits.UNLIMITED)).isNull();
        time.advance(Duration.ofSeconds(30));
        assertThat(limiter.fullWindow(key, limits, TokenLimits.UNLIMITED)).as("refilled").isNull();
    }

    @Test
    void peekTakesNothing() {
        RateLimits limits = new RateLimits(3, 100, 1000);
        acquire(limits);
        assertThat(limiter.peek(key, limits).join()).isEqualTo(
                new RateLimitDecision.Allowed(RateWindow.MINUTE, 3, 2, Duration.ofSeconds(20).toNanos()));
        assertThat(limiter.peek(key, limits).join()).isEqualTo(
                new RateLimitDecision.Allowed(RateWindow.MINUTE, 3, 2, Duration.ofSeconds(20).toNanos()));
    }

    @Test
    void changedLimitsKeepWhatWasConsumed() {
        acquire(new RateLimits(2, 100, 1000));
        acquire(new RateLimits(2, 100, 1000));
        assertThat(acquire(new RateLimits(2, 100, 1000))).isInstanceOf(RateLimitDecision.Limited.class);
        RateLimitDecision raised = acquire(new RateLimits(5, 100, 1000));
        assertThat(raised).isEqualTo(new RateLimitDecision.Allowed(RateWindow.MINUTE, 5, 2,
                Duration.ofSeconds(36).toNanos()));
        // Lowered: what is left is capped at the new limit (Bucket4j's ADDITIVE keeps "as is" when shrinking).
        assertThat(acquire(new RateLimits(1, 100, 1000))).isEqualTo(new RateLimitDecision.Allowed(RateWindow.MINUTE, 1,
                0, Duration.ofMinutes(1).toNanos()));
        assertThat(acquire(new RateLimits(1, 100, 1000))).isInstanceOf(RateLimitDecision.Limited.class);
    }

    @Test
    void keysHaveTheirOwnBuckets() {
        RateLimits limits = new RateLimits(1, 100, 1000);
        acquire(limits);
        assertThat(acquire(limits)).isInstanceOf(RateLimitDecision.Limited.class);
        assertThat(limiter.acquire(UUID.randomUUID(), limits).join()).isInstanceOf(RateLimitDecision.Allowed.class);
    }
}
