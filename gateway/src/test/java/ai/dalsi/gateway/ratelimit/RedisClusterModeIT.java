package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.config.RateLimitConfig;
import ai.dalsi.gateway.testing.RedisServerProcess;
import com.github.benmanes.caffeine.cache.Ticker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code redis-cluster://} against a one-node Redis Cluster the test starts (every slot on it): a
 * key's state shares one slot (its id is the hash tag), so request limits, token limits and the
 * key's budget are shared as on a standalone Redis. A user's budget lives in another slot, which a
 * Cluster refuses in one script: such admissions are answered locally and counted (a known gap,
 * docs/CAPACITY.md).
 */
class RedisClusterModeIT {

    private static final RateLimits THREE = new RateLimits(3, 1000, 10_000);

    private RedisServerProcess redis;
    private SharedLimits shared;
    private final AtomicLong fallbacks = new AtomicLong();

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        redis = RedisServerProcess.startCluster(dir);
        RedisClient client = RedisClient.create(redis.url());
        try {
            StatefulRedisConnection<String, String> c = client.connect();
            c.sync().clusterAddSlotsRange(io.lettuce.core.Range.create(0, 16383));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!c.sync().clusterInfo().contains("cluster_state:ok")) {
                assertThat(System.nanoTime()).as("cluster ok within 10 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            c.close();
        } finally {
            client.shutdown();
        }
        shared = SharedLimits.open(new RateLimitConfig("redis-cluster://127.0.0.1:" + redis.port(), Duration.ofSeconds(1),
                "cluster-test:", Duration.ofMillis(200)), Clock.systemUTC(), Ticker.systemTicker(), 1000,
                MonthlySpendSource.NONE, Runnable::run, fallbacks::incrementAndGet);
    }

    @AfterEach
    void stop() throws Exception {
        if (shared != null) {
            shared.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void requestLimitsTokenLimitsAndKeyBudgetsAreSharedThroughTheCluster() {
        FallbackKeyRateLimiter limiter = shared.limiter();
        UUID key = UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire(key, THREE).join()).isInstanceOf(RateLimitDecision.Allowed.class);
        }
        assertThat(limiter.acquire(key, THREE).join()).isInstanceOf(RateLimitDecision.Limited.class);

        AdmissionRequest r = new AdmissionRequest(UUID.randomUUID(), UUID.randomUUID(), THREE,
                new TokenLimits(1000, 100_000), new MonthlyBudgets(new BigDecimal("1"), null),
                new WorstCase(600, new BigDecimal("0.6")));
        assertThat(limiter.admit(r).join()).isInstanceOf(AdmissionDecision.Allowed.class);
        assertThat(limiter.admit(r).join()).isInstanceOf(AdmissionDecision.BudgetRefused.class);
        assertThat(fallbacks).as("all answered by the cluster").hasValue(0);
        assertThat(limiter.usingShared()).isTrue();
    }

    @Test
    void aUsersBudgetCannotBeCheckedInTheKeysSlotSoItIsAnsweredLocally() {
        FallbackKeyRateLimiter limiter = shared.limiter();
        AdmissionRequest r = new AdmissionRequest(UUID.randomUUID(), UUID.randomUUID(), THREE, TokenLimits.UNLIMITED,
                new MonthlyBudgets(null, new BigDecimal("1")), new WorstCase(10, new BigDecimal("0.1")));
        assertThat(limiter.admit(r).join()).as("never refused for it").isInstanceOf(AdmissionDecision.Allowed.class);
        assertThat(fallbacks.get()).isPositive();
        assertThat(limiter.lastError()).contains("CROSSSLOT");
    }
}
