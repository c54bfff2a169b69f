package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.ratelimit.BudgetStatus;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.metering.CostCalculator;
import ai.dalsi.persistence.repo.SpendRepository;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What is left of a monthly budget this UTC month, for admins. With the node's limiter (the one
 * that admits requests) it is exactly what admission checks against: the ledger's spend when the
 * node started counting the month, plus what settled since, plus the worst case of requests in
 * flight. Without one (an admin port on its own) it is the budget less the ledger's rollups for the
 * month. Blocking: runs on the admin's worker threads.
 */
final class RemainingBudgets {

    private static final long WAIT_SECONDS = 10;

    private final KeyRateLimiter limiter;
    private final SpendRepository spend;
    private final Clock clock;

    /** @param limiter the node's limiter, or null to read the ledger alone */
    RemainingBudgets(KeyRateLimiter limiter, SpendRepository spend, Clock clock) {
        this.limiter = limiter;
        this.spend = spend;
        this.clock = clock;
    }

    /** What is left of the key's budget (null without one). */
    BigDecimal key(UUID keyId, BigDecimal budget) {
        if (budget == null) {
            return null;
        }
        if (limiter != null) {
            return remaining(limiter.keyBudget(keyId, budget));
        }
        YearMonth m = month();
        return left(budget, spend.keySpend(keyId, start(m), start(m.plusMonths(1))));
    }

    /** What is left of the user's budget (null without one). */
    BigDecimal user(UUID userId, BigDecimal budget) {
        if (budget == null) {
            return null;
        }
        if (limiter != null) {
            return remaining(limiter.userBudget(userId, budget));
        }
        YearMonth m = month();
        return left(budget, spend.userSpend(userId, start(m), start(m.plusMonths(1))));
    }

    private static BigDecimal remaining(CompletableFuture<BudgetStatus> f) {
        try {
            BudgetStatus s = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            return s == null ? null : s.remaining().setScale(CostCalculator.SCALE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading a budget", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the month's spend could not be read", e);
        }
    }

    private static BigDecimal left(BigDecimal budget, BigDecimal spent) {
        return budget.subtract(spent).max(BigDecimal.ZERO).setScale(CostCalculator.SCALE);
    }

    private YearMonth month() {
        return YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
    }

    private static Instant start(YearMonth m) {
        return m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }
}
