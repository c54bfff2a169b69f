package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.ratelimit.AdmissionDecision.Allowed;
import ai.dalsi.gateway.ratelimit.AdmissionDecision.BudgetRefused;
import ai.dalsi.gateway.ratelimit.AdmissionDecision.TokensRefused;
import ai.dalsi.gateway.testing.FakeTime;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Monthly budgets of keys and users through {@link KeyRateLimiter#admit}, with fake time and a fake ledger. */
class BudgetAdmissionTest {

    private static final RateLimits REQUESTS = new RateLimits(1000, 10_000, 100_000);

    /** A ledger whose monthly spend per account tests set, recording every question asked. */
    static final class FakeLedger implements MonthlySpendSource {
        final Map<String, BigDecimal> spend = new ConcurrentHashMap<>();
        final List<String> asked = new CopyOnWriteArrayList<>();
        volatile RuntimeException failure;

        void set(UUID account, String month, String usd) {
            spend.put(account + "@" + month, new BigDecimal(usd));
        }

        private BigDecimal read(UUID account, Instant from, Instant to) {
            asked.add(account + " " + from + " " + to);
            if (failure != null) {
                throw failure;
            }
            return spend.getOrDefault(account + "@" + YearMonth.from(from.atOffset(java.time.ZoneOffset.UTC)),
                    BigDecimal.ZERO);
        }

        @Override
        public BigDecimal keySpend(UUID keyId, Instant from, Instant to) {
            return read(keyId, from, to);
        }

        @Override
        public BigDecimal userSpend(UUID userId, Instant from, Instant to) {
            return read(userId, from, to);
        }
    }

    private final FakeLedger ledger = new FakeLedger();
    private final UUID key = UUID.randomUUID();
    private final UUID otherKey = UUID.randomUUID();
    private final UUID user = UUID.randomUUID();

    /** The limiter under test; {@link RedisBudgetAdmissionIT} runs the same behaviour against Redis. */
    protected KeyRateLimiter limiter(FakeTime time, MonthlySpendSource ledger) {
        return KeyRateLimiter.local(time, time, time, 1000, ledger, Runnable::run);
    }

    private static AdmissionDecision admit(KeyRateLimiter limiter, UUID key, UUID user, MonthlyBudgets budgets,
            String worstCost) {
        return limiter.admit(new AdmissionRequest(key, user, REQUESTS, TokenLimits.UNLIMITED, budgets,
                new WorstCase(100, new BigDecimal(worstCost)))).join();
    }

    @Test
    void theKeysBudgetRefusesTheRequestThatWouldCrossIt() {
        FakeTime time = new FakeTime(Instant.parse("2026-05-10T12:00:00Z"));
        KeyRateLimiter limiter = limiter(time, ledger);
        MonthlyBudgets budgets = new MonthlyBudgets(new BigDecimal("1.00"), null);
        List<Reservation> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(((Allowed) admit(limiter, key, user, budgets, "0.30")).reservation());
        }
        BudgetRefused refused = (BudgetRefused) admit(limiter, key, user, budgets, "0.30");
        assertThat(refused.scope()).isEqualTo(BudgetScope.KEY);
        assertThat(refused.budget()).isEqualByComparingTo("1.00");
        assertThat(refused.committed()).isEqualByComparingTo("0.90");
        assertThat(refused.requested()).isEqualByComparingTo("0.30");
        assertThat(LimitMessages.budget(refused)).isEqualTo("You exceeded your current quota, please check your plan and "
                + "billing details. This API key's monthly budget is $1.00: $0.90 is spent or reserved this month and "
                + "this request may cost up to $0.30.");
        // Reaching the budget exactly is allowed.
        assertThat(admit(limiter, key, user, budgets, "0.10")).isInstanceOf(Allowed.class);

        limiter.settle(held.get(0), 100, new BigDecimal("0.05")).join();
        assertThat(limiter.keyBudget(key, budgets.key()).join()).usingRecursiveComparison()
                .withComparatorForType(BigDecimal::compareTo, BigDecimal.class)
                .isEqualTo(new BudgetStatus(YearMonth.of(2026, 5), budgets.key(), new BigDecimal("0.05"),
                        new BigDecimal("0.70"), new BigDecimal("0.25")));
        assertThat(admit(limiter, key, user, budgets, "0.25")).isInstanceOf(Allowed.class);
        assertThat(ledger.asked).as("the ledger is read once for the month").hasSize(1);
    }

    @Test
    void theUsersBudgetSpansAllTheirKeys() {
        FakeTime time = new FakeTime(Instant.parse("2026-05-10T12:00:00Z"));
        KeyRateLimiter limiter = limiter(time, ledger);
        MonthlyBudgets budgets = new MonthlyBudgets(null, new BigDecimal("1"));
        Reservation a = ((Allowed) admit(limiter, key, user, budgets, "0.60")).reservation();
        BudgetRefused refused = (BudgetRefused) admit(limiter, otherKey, user, budgets, "0.60");
        assertThat(refused.scope()).isEqualTo(BudgetScope.USER);
        assertThat(LimitMessages.budget(refused)).contains("Your account's monthly budget is $1.00: $0.60 is spent");
        limiter.settle(a, 10, new BigDecimal("0.40")).join();
        assertThat(admit(limiter, otherKey, user, budgets, "0.60")).isInstanceOf(Allowed.class);
        assertThat(limiter.userBudget(user, budgets.user()).join().remaining()).isEqualByComparingTo("0");
    }

    @Test
    void aRefusalByTheUsersBudgetOrByTokensReservesNothingAnywhere() {
        FakeTime time = new FakeTime(Instant.parse("2026-05-10T12:00:00Z"));
        KeyRateLimiter limiter = limiter(time, ledger);
        MonthlyBudgets both = new MonthlyBudgets(new BigDecimal("10"), new BigDecimal("1"));
        admit(limiter, otherKey, user, new MonthlyBudgets(null, new BigDecimal("1")), "0.90");
        assertThat(admit(limiter, key, user, both, "0.50")).isInstanceOf(BudgetRefused.class);
        assertThat(limiter.keyBudget(key, both.key()).join().reserved()).as("the key's part was given back")
                .isEqualByComparingTo("0");

        AdmissionRequest tooManyTokens = new AdmissionRequest(key, user, REQUESTS, new TokenLimits(10, 100),
                new MonthlyBudgets(new BigDecimal("10"), null), new WorstCase(11, new BigDecimal("1")));
        assertThat(limiter.admit(tooManyTokens).join()).isInstanceOf(TokensRefused.class);
        assertThat(limiter.keyBudget(key, both.key()).join().reserved()).isEqualByComparingTo("0");
        assertThat(((RateLimitDecision.Allowed) limiter.peek(key, REQUESTS).join()).remaining())
                .as("no request taken by either refusal").isEqualTo(1000);
    }

    @Test
    void theMonthStartsFromTheLedgerSoARestartedNodeRefusesTheSameWay() {
        FakeTime time = new FakeTime(Instant.parse("2026-05-10T12:00:00Z"));
        ledger.set(key, "2026-05", "9.95");
        ledger.set(user, "2026-05", "40");
        KeyRateLimiter restarted = limiter(time, ledger);
        MonthlyBudgets budgets = new MonthlyBudgets(new BigDecimal("10"), new BigDecimal("50"));
        BudgetRefused refused = (BudgetRefused) admit(restarted, key, user, budgets, "0.06");
        assertThat(refused.committed()).isEqualByComparingTo("9.95");
        assertThat(admit(restarted, key, user, budgets, "0.05")).isInstanceOf(Allowed.class);
        assertThat(ledger.asked).containsExactlyInAnyOrder(
                key + " 2026-05-01T00:00:00Z 2026-06-01T00:00:00Z",
                user + " 2026-05-01T00:00:00Z 2026-06-01T00:00:00Z");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "2026-01-31T23:59:59.999Z, 2026-02, 2026-02-01T00:00:00Z, 2026-03-01T00:00:00Z",
        "2026-12-31T23:59:59.999Z, 2027-01, 2027-01-01T00:00:00Z, 2027-02-01T00:00:00Z",
        "2028-02-29T23:59:59.999Z, 2028-03, 2028-03-01T00:00:00Z, 2028-04-01T00:00:00Z",
    })
    void aNewMonthStartsAtMidnightUtcOnTheFirstWithTheLedgersFigureForIt(String lastInstant, String nextMonth,
            String from, String to) {
        FakeTime time = new FakeTime(Instant.parse(lastInstant));
        String month = YearMonth.from(Instant.parse(lastInstant).atOffset(java.time.ZoneOffset.UTC)).toString();
        ledger.set(key, month, "1.00");
        ledger.set(key, nextMonth, "0.25");
        KeyRateLimiter limiter = limiter(time, ledger);
        MonthlyBudgets budgets = new MonthlyBudgets(new BigDecimal("1.00"), null);

        assertThat(admit(limiter, key, user, budgets, "0.01")).as("the old month is spent").isInstanceOf(BudgetRefused.class);
        Reservation free = ((Allowed) admit(limiter, key, user, budgets, "0")).reservation();
        assertThat(free.month().toString()).isEqualTo(month);

        time.advance(Duration.ofMillis(1));
        Allowed allowed = (Allowed) admit(limiter, key, user, budgets, "0.75");
        assertThat(allowed.reservation().month().toString()).isEqualTo(nextMonth);
        assertThat(ledger.asked).last().isEqualTo(key + " " + from + " " + to);
        assertThat(admit(limiter, key, user, budgets, "0.01")).as("0.25 from the ledger + 0.75 reserved")
                .isInstanceOf(BudgetRefused.class);

        // The old month's request settles into the old month, never into the new one.
        limiter.settle(free, 10, new BigDecimal("0.50")).join();
        BudgetStatus now = limiter.keyBudget(key, budgets.key()).join();
        assertThat(now.month().toString()).isEqualTo(nextMonth);
        assertThat(now.spent()).isEqualByComparingTo("0.25");
        assertThat(now.reserved()).isEqualByComparingTo("0.75");
    }
}
