package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.config.RateLimitConfig;
import ai.dalsi.gateway.testing.RedisServerProcess;
import com.github.benmanes.caffeine.cache.Ticker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis away or slow: every check is still answered (locally), counted, and the node goes back to
 * the shared state by itself once Redis answers again. Against a redis-server of the test's own.
 */
class RedisFallbackIT {

    private static final RateLimits FIVE = new RateLimits(5, 1000, 10_000);

    private final AtomicLong fallbacks = new AtomicLong();
    private RedisServerProcess redis;
    private SharedLimits shared;
    private FallbackKeyRateLimiter limiter;

    @BeforeEach
    void start() {
        redis = RedisServerProcess.start();
        // 300 ms: a loaded test machine must not time out a healthy Redis; a paused one takes a second.
        shared = SharedLimits.open(new RateLimitConfig(redis.url(), Duration.ofMillis(300), "fallback-test:",
                Duration.ofMillis(100)), Clock.systemUTC(), Ticker.systemTicker(), 1000, MonthlySpendSource.NONE,
                Runnable::run, fallbacks::incrementAndGet);
        limiter = shared.limiter();
    }

    @AfterEach
    void stop() throws Exception {
        shared.close();
        redis.close();
    }

    @Test
    void redisKilledChecksAreAnsweredLocallyAndCountedThenSharedAgainWhenItIsBack() {
        UUID key = UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.acquire(key, FIVE).join()).isInstanceOf(RateLimitDecision.Allowed.class);
        }
        assertThat(limiter.acquire(key, FIVE).join()).as("shared state: the sixth is refused")
                .isInstanceOf(RateLimitDecision.Limited.class);
        assertThat(fallbacks).hasValue(0);

        redis.kill();
        // The node's own buckets start empty: it allows the key's limit again, on its own.
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.acquire(key, FIVE).join()).isInstanceOf(RateLimitDecision.Allowed.class);
        }
        assertThat(limiter.acquire(key, FIVE).join()).as("limits still hold locally")
                .isInstanceOf(RateLimitDecision.Limited.class);
        assertThat(limiter.usingShared()).isFalse();
        assertThat(fallbacks.get()).isGreaterThanOrEqualTo(6);
        assertThat(limiter.lastError()).isNotBlank();

        redis.startAgain();
        awaitTrue(limiter::usingShared, Duration.ofSeconds(10), "back to the shared state");
        long before = fallbacks.get();
        // The restarted Redis kept nothing: the key starts afresh in the shared state, not in the local one.
        UUID other = UUID.randomUUID();
        assertThat(limiter.acquire(other, new RateLimits(1, 100, 1000)).join())
                .isInstanceOf(RateLimitDecision.Allowed.class);
        assertThat(fallbacks).hasValue(before);
        try (RedisClient client = RedisClient.create(redis.url());
                StatefulRedisConnection<String, String> c = client.connect()) {
            assertThat(c.sync().exists("fallback-test:{k:" + other + "}:req")).as("counted in Redis").isEqualTo(1);
        }
    }

    @Test
    void aSlowRedisIsGivenUpOnAfterTheTimeout() throws Exception {
        UUID key = UUID.randomUUID();
        assertThat(limiter.acquire(key, FIVE).join()).isInstanceOf(RateLimitDecision.Allowed.class);
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().clientPause(1000); // holds every client's commands for a second
            long started = System.nanoTime();
            RateLimitDecision d = limiter.acquire(key, FIVE).join();
            long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertThat(d).isInstanceOf(RateLimitDecision.Allowed.class);
            assertThat(tookMillis).as("answered after the 300 ms timeout, not after Redis's second").isLessThan(900);
            assertThat(limiter.usingShared()).isFalse();
            assertThat(fallbacks.get()).isPositive();
            awaitTrue(limiter::usingShared, Duration.ofSeconds(10), "back to the shared state after the sleep");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aReservationIsSettledWhereItWasMadeAndSettlementsWaitForRedis() {
        UUID key = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        AdmissionRequest r = new AdmissionRequest(key, user, FIVE, new TokenLimits(1000, 100_000),
                new MonthlyBudgets(new BigDecimal("10"), null), new WorstCase(600, new BigDecimal("1")));
        Reservation inRedis = ((AdmissionDecision.Allowed) limiter.admit(r).join()).reservation();
        assertThat(limiter.usingShared()).as("admitted in Redis").isTrue();
        redis.kill();
        Reservation here = ((AdmissionDecision.Allowed) limiter.admit(r).join()).reservation();
        assertThat(limiter.admit(r).join()).as("the local windows hold this node's reservation")
                .isInstanceOf(AdmissionDecision.TokensRefused.class);
        limiter.settle(here, 100, new BigDecimal("0.1")).join();
        assertThat(limiter.admit(r).join()).as("settled locally: 900 tokens free again")
                .isInstanceOf(AdmissionDecision.Allowed.class);
        limiter.settle(inRedis, 100, new BigDecimal("0.1")).join();
        assertThat(limiter.pendingSettlements()).as("waits for Redis").isEqualTo(1);
        redis.startAgain();
        awaitTrue(limiter::usingShared, Duration.ofSeconds(10), "back to the shared state");
        assertThat(limiter.pendingSettlements()).isZero();
    }

    @Test
    void aNodeStartsWhileRedisIsAwayAndSharesOnceItAnswers() throws Exception {
        redis.kill();
        try (SharedLimits late = SharedLimits.open(new RateLimitConfig(redis.url(), Duration.ofMillis(300),
                "fallback-test:", Duration.ofMillis(100)), Clock.systemUTC(), Ticker.systemTicker(), 1000,
                MonthlySpendSource.NONE, Runnable::run, fallbacks::incrementAndGet)) {
            FallbackKeyRateLimiter l = late.limiter();
            assertThat(l.usingShared()).isFalse();
            assertThat(l.acquire(UUID.randomUUID(), FIVE).join()).isInstanceOf(RateLimitDecision.Allowed.class);
            assertThat(fallbacks.get()).isPositive();
            redis.startAgain();
            awaitTrue(l::usingShared, Duration.ofSeconds(10), "connected and shared");
            UUID key = UUID.randomUUID();
            assertThat(l.acquire(key, FIVE).join()).isInstanceOf(RateLimitDecision.Allowed.class);
            try (RedisClient client = RedisClient.create(redis.url());
                    StatefulRedisConnection<String, String> c = client.connect()) {
                assertThat(c.sync().exists("fallback-test:{k:" + key + "}:req")).isEqualTo(1);
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within " + within).isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
