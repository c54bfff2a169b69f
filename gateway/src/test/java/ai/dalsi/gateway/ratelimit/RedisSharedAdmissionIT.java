package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes' limiters (each its own Redis connection, as three gateway processes would have)
 * admitting and settling one key's requests at once: the token limit and the budgets hold exactly
 * across them, neither more (an overshoot) nor fewer (a lost update) than the limit allows.
 */
class RedisSharedAdmissionIT {

    private final List<RedisClient> clients = new ArrayList<>();
    private final List<KeyRateLimiter> nodes = new ArrayList<>();
    private final String prefix = RedisLimiters.uniquePrefix();
    private final AtomicInteger seeds = new AtomicInteger();

    @BeforeEach
    void start() {
        MonthlySpendSource ledger = new MonthlySpendSource() {
            @Override
            public BigDecimal keySpend(UUID keyId, java.time.Instant from, java.time.Instant to) {
                seeds.incrementAndGet();
                return new BigDecimal("1.00");
            }

            @Override
            public BigDecimal userSpend(UUID userId, java.time.Instant from, java.time.Instant to) {
                seeds.incrementAndGet();
                return new BigDecimal("0.50");
            }
        };
        for (int i = 0; i < 3; i++) {
            RedisClient client = RedisClient.create(RedisLimiters.URL);
            clients.add(client);
            StatefulRedisConnection<String, String> c = client.connect();
            nodes.add(new RedisKeyRateLimiter(c.async(), prefix, SharedLimits.wallTime(Clock.systemUTC()),
                    Clock.systemUTC(), ledger, Runnable::run, Duration.ofSeconds(5)));
        }
    }

    @AfterEach
    void stop() {
        RedisLimiters.deleteAll(prefix);
        clients.forEach(RedisClient::shutdown);
    }

    /** {@code perNode} admissions on each node from 4 threads each; settles every admitted one at once. */
    private int admitEverywhere(AdmissionRequest r, int perNode, long usedTokens, BigDecimal cost) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(12);
        AtomicInteger admitted = new AtomicInteger();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (KeyRateLimiter node : nodes) {
                for (int t = 0; t < 4; t++) {
                    running.add(pool.submit(() -> {
                        for (int i = 0; i < perNode / 4; i++) {
                            AdmissionDecision d = node.admit(r).join();
                            if (d instanceof AdmissionDecision.Allowed a) {
                                admitted.incrementAndGet();
                                node.settle(a.reservation(), usedTokens, cost).join();
                            }
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return admitted.get();
    }

    @Test
    void aTokenLimitHoldsExactlyAcrossThreeNodes() throws Exception {
        UUID key = UUID.randomUUID();
        // A day window: the test cannot straddle its slots the way it could a minute's.
        AdmissionRequest r = new AdmissionRequest(key, UUID.randomUUID(), new RateLimits(100_000, 1_000_000, 10_000_000),
                new TokenLimits(Long.MAX_VALUE, 10_000), MonthlyBudgets.NONE, new WorstCase(300, BigDecimal.ZERO));
        int admitted = admitEverywhere(r, 40, 300, BigDecimal.ZERO);
        assertThat(admitted).as("10,000 / 300 tokens").isEqualTo(33);
        TokenStatus left = nodes.get(1).peekTokens(key, r.tokenLimits()).join();
        assertThat(left.remaining()).isEqualTo(10_000 - 33 * 300);
    }

    @Test
    void budgetsHoldExactlyAcrossThreeNodesStartingFromTheLedger() throws Exception {
        UUID key = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        // The key has $1.00 spent of $5, the user $0.50 of $3: the user's $2.50 left bind at $0.10 a request.
        AdmissionRequest r = new AdmissionRequest(key, user, new RateLimits(100_000, 1_000_000, 10_000_000),
                TokenLimits.UNLIMITED, new MonthlyBudgets(new BigDecimal("5"), new BigDecimal("3")),
                new WorstCase(100, new BigDecimal("0.10")));
        int admitted = admitEverywhere(r, 40, 100, new BigDecimal("0.10"));
        assertThat(admitted).isEqualTo(25);
        BudgetStatus userBudget = nodes.get(2).userBudget(user, new BigDecimal("3")).join();
        assertThat(userBudget.spent()).isEqualByComparingTo("3.00");
        assertThat(userBudget.reserved()).isEqualByComparingTo("0");
        assertThat(nodes.get(0).keyBudget(key, new BigDecimal("5")).join().spent()).isEqualByComparingTo("3.50");
        assertThat(seeds.get()).as("one ledger read per node and account at most")
                .isBetween(2, 6);
    }
}
