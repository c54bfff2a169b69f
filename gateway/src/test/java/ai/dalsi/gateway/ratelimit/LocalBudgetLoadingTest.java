package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.gateway.ratelimit.AdmissionDecision.Allowed;
import ai.dalsi.gateway.ratelimit.AdmissionDecision.BudgetRefused;
import ai.dalsi.gateway.testing.FakeTime;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * How the local limiter reads a month's spend from the ledger: on the loader, never on the caller's
 * thread, once for all the requests that wait for it, and again after a failure. (The Redis limiter
 * keeps the month in Redis, seeded once by the first node: {@link RedisBudgetAdmissionIT}.)
 */
class LocalBudgetLoadingTest {

    private static final RateLimits REQUESTS = new RateLimits(1000, 10_000, 100_000);

    private final BudgetAdmissionTest.FakeLedger ledger = new BudgetAdmissionTest.FakeLedger();
    private final UUID key = UUID.randomUUID();
    private final UUID otherKey = UUID.randomUUID();
    private final UUID user = UUID.randomUUID();

    @Test
    void theLedgerIsReadOnTheLoaderOnceForManyRequestsAndAFailureIsRetried() {
        FakeTime time = new FakeTime(Instant.parse("2026-05-10T12:00:00Z"));
        List<Runnable> queued = new CopyOnWriteArrayList<>();
        KeyRateLimiter limiter = KeyRateLimiter.local(time, time, time, 1000, ledger, queued::add);
        MonthlyBudgets budgets = new MonthlyBudgets(new BigDecimal("1"), null);
        AdmissionRequest r = new AdmissionRequest(key, user, REQUESTS, TokenLimits.UNLIMITED, budgets,
                new WorstCase(1, new BigDecimal("0.4")));

        CompletableFuture<AdmissionDecision> first = limiter.admit(r);
        CompletableFuture<AdmissionDecision> second = limiter.admit(r);
        CompletableFuture<AdmissionDecision> third = limiter.admit(r);
        assertThat(first).as("nothing is read on the caller's thread").isNotDone();
        assertThat(queued).as("one read for the three").hasSize(1);
        queued.removeFirst().run();
        assertThat(List.of(first.join(), second.join())).allMatch(d -> d instanceof Allowed);
        assertThat(third.join()).isInstanceOf(BudgetRefused.class);
        assertThat(limiter.admit(r)).as("the month is known now").isCompleted();

        ledger.failure = new IllegalStateException("database down");
        CompletableFuture<AdmissionDecision> user = limiter.admit(new AdmissionRequest(otherKey, this.user, REQUESTS,
                TokenLimits.UNLIMITED, new MonthlyBudgets(new BigDecimal("1"), null), WorstCase.NONE));
        queued.removeFirst().run();
        assertThatThrownBy(user::join).isInstanceOf(CompletionException.class).hasRootCauseMessage("database down");
        ledger.failure = null;
        CompletableFuture<AdmissionDecision> again = limiter.admit(new AdmissionRequest(otherKey, this.user, REQUESTS,
                TokenLimits.UNLIMITED, new MonthlyBudgets(new BigDecimal("1"), null), WorstCase.NONE));
        assertThat(queued).as("asked again").hasSize(1);
        queued.removeFirst().run();
        assertThat(again.join()).isInstanceOf(Allowed.class);
    }
}
