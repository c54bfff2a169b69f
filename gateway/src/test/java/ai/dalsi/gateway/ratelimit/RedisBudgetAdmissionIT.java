package ai.dalsi.gateway.ratelimit;

import ai.dalsi.gateway.testing.FakeTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** {@link BudgetAdmissionTest}'s monthly budgets, kept in Redis and seeded from the fake ledger. */
class RedisBudgetAdmissionIT extends BudgetAdmissionTest {

    private final List<String> prefixes = new ArrayList<>();

    @Override
    protected KeyRateLimiter limiter(FakeTime time, MonthlySpendSource ledger) {
        String prefix = RedisLimiters.uniquePrefix();
        prefixes.add(prefix);
        return RedisLimiters.limiter(prefix, time, ledger, Runnable::run);
    }

    @Override
    @Test
    @Disabled("local-only: it runs the loader by hand and expects answers on the caller's thread; with Redis the "
            + "seed is stored by the first node and every later request finds it there")
    void theLedgerIsReadOnTheLoaderOnceForManyRequestsAndAFailureIsRetried() {
    }

    @AfterEach
    void deleteKeys() {
        prefixes.forEach(RedisLimiters::deleteAll);
    }
}
