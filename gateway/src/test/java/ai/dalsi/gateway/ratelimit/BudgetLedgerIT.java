package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.ratelimit.AdmissionDecision.Allowed;
import ai.dalsi.gateway.ratelimit.AdmissionDecision.BudgetRefused;
import ai.dalsi.gateway.testing.EventLoopSqlGuard;
import ai.dalsi.gateway.testing.FakeTime;
import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.repo.NewKey;
import ai.dalsi.persistence.repo.SpendRepository;
import ai.dalsi.persistence.repo.UserRepository;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Monthly budgets against a real PostgreSQL: a node starts each month from the ledger's hourly
 * rollups, so a node restarted mid-month refuses exactly as the one before it would have; the
 * month turns at midnight UTC on the first; the ledger is read on the loader, never on an event
 * loop.
 */
@ExtendWith(FreshDatabaseExtension.class)
class BudgetLedgerIT {

    private static final RateLimits REQUESTS = new RateLimits(1000, 10_000, 100_000);

    private final DSLContext dsl;
    private final EventLoopSqlGuard sql = new EventLoopSqlGuard();
    private final ExecutorService loads = Executors.newFixedThreadPool(2);
    private final EventLoop eventLoop = new DefaultEventLoop();
    private UUID user;
    private UUID key;
    private UUID internalKey;

    BudgetLedgerIT(DSLContext dsl) {
        this.dsl = dsl;
    }

    @BeforeEach
    void keys() {
        // One database for the class: every test has its own user and keys.
        user = new UserRepository(dsl).insert(UUID.randomUUID() + "@example.com", null);
        ApiKeyRepository keys = new ApiKeyRepository(dsl);
        key = keys.insert(NewKey.withDefaults(user, randomHash(), "dsk_live_Bg1", "paid", List.of("ai.chat")));
        internalKey = keys.insert(NewKey.withDefaults(user, randomHash(), "dsk_live_Bg2", "ops", List.of("ai.chat")));
        dsl.execute("update api_keys set is_internal = true where id = ?", internalKey);
    }

    private static String randomHash() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    @AfterEach
    void stop() throws Exception {
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        loads.shutdownNow();
        assertThat(sql.violations()).as("SQL on an event loop").isEmpty();
    }

    private KeyRateLimiter node(FakeTime time) {
        return KeyRateLimiter.local(time, time, time, 1000,
                MonthlySpendSource.ledger(new SpendRepository(sql.guard(dsl))), loads);
    }

    /** Admits from an event loop, as the edge does, and waits for the answer. */
    private AdmissionDecision admit(KeyRateLimiter node, MonthlyBudgets budgets, String worstCost) throws Exception {
        return eventLoop.submit(() -> node.admit(new AdmissionRequest(key, user, REQUESTS, TokenLimits.UNLIMITED, budgets,
                new WorstCase(100, new BigDecimal(worstCost))))).get().get(10, TimeUnit.SECONDS);
    }

    /** What the metering writer does for one settled request: its cost lands in its hour's rollup. */
    private void ledgerRow(UUID apiKey, Instant at, String cost) {
        dsl.execute("insert into api_usage_hourly (api_key_id, user_id, endpoint, model, hour, request_count, cost_usd)"
                + " values (?, ?, '/v1/chat/completions', 'dalsi-ai', ?::timestamptz, 1, ?::numeric)"
                + " on conflict (api_key_id, hour, endpoint, model) do update set"
                + " request_count = api_usage_hourly.request_count + 1,"
                + " cost_usd = api_usage_hourly.cost_usd + excluded.cost_usd",
                apiKey, user, at.truncatedTo(ChronoUnit.HOURS).toString(), cost);
    }

    @Test
    void aNodeRestartedMidMonthRefusesAsTheOneBeforeItWould() throws Exception {
        FakeTime time = new FakeTime(Instant.parse("2026-05-20T10:00:00Z"));
        MonthlyBudgets budgets = new MonthlyBudgets(new BigDecimal("1.00"), new BigDecimal("5.00"));
        ledgerRow(key, Instant.parse("2026-04-30T23:30:00Z"), "3.00");         // last month: not counted
        ledgerRow(internalKey, Instant.parse("2026-05-02T08:00:00Z"), "4.50"); // internal: not the user's spend

        KeyRateLimiter first = node(time);
        for (int i = 0; i < 3; i++) {
            Allowed a = (Allowed) admit(first, budgets, "0.30");
            first.settle(a.reservation(), 500, new BigDecimal("0.25")).join();
            ledgerRow(key, time.instant(), "0.25");
            time.advance(Duration.ofMinutes(5));
        }
        BudgetRefused before = (BudgetRefused) admit(first, budgets, "0.30");
        assertThat(before.scope()).isEqualTo(BudgetScope.KEY);
        assertThat(before.committed()).isEqualByComparingTo("0.75");

        KeyRateLimiter restarted = node(time);
        BudgetRefused after = (BudgetRefused) admit(restarted, budgets, "0.30");
        assertThat(after).usingRecursiveComparison().withComparatorForType(BigDecimal::compareTo, BigDecimal.class)
                .isEqualTo(before);
        assertThat(admit(restarted, budgets, "0.25")).as("up to the budget exactly").isInstanceOf(Allowed.class);
        assertThat(restarted.keyBudget(key, budgets.key()).join().spent()).isEqualByComparingTo("0.75");
        assertThat(restarted.userBudget(user, budgets.user()).join().spent())
                .as("the user's spend leaves the internal key out").isEqualByComparingTo("0.75");
    }

    @Test
    void theMonthTurnsAtMidnightUtcOnTheFirstAndAcrossTheYear() throws Exception {
        FakeTime time = new FakeTime(Instant.parse("2026-12-31T23:59:59Z"));
        MonthlyBudgets budgets = new MonthlyBudgets(new BigDecimal("2"), null);
        ledgerRow(key, Instant.parse("2026-12-31T23:10:00Z"), "1.99");
        ledgerRow(key, Instant.parse("2027-01-01T00:00:00Z"), "0.50"); // written by another run already
        KeyRateLimiter node = node(time);
        assertThat(admit(node, budgets, "0.02")).isInstanceOf(BudgetRefused.class);
        time.advance(Duration.ofMillis(999));
        assertThat(admit(node, budgets, "0.02")).as("23:59:59.999 is still December").isInstanceOf(BudgetRefused.class);
        time.advance(Duration.ofMillis(1));
        Allowed january = (Allowed) admit(node, budgets, "1.50");
        assertThat(january.reservation().month().toString()).isEqualTo("2027-01");
        BudgetRefused full = (BudgetRefused) admit(node, budgets, "0.01");
        assertThat(full.committed()).as("January's rollups plus the reservation").isEqualByComparingTo("2.00");
    }
}
