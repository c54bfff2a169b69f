package ai.dalsi.gateway.ratelimit;

import ai.dalsi.gateway.testing.FakeTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** {@link BudgetAdmissionTest}'s monthly budgets, kept in Redis and seeded from the fake ledger. */
class RedisBudgetAdmissionIT extends BudgetAdmissionTest {

    private final List<String> prefixes = new ArrayList<>();

    @Override
    protected KeyRateLimiter limiter(FakeTime time, MonthlySpendSource ledger) {
        String prefix = RedisLimiters.uniquePrefix();
        prefixes.add(prefix);
        return RedisLimiters.limiter(prefix, time, ledger, Runnable::run);
    }

    @AfterEach
    void deleteKeys() {
        prefixes.forEach(RedisLimiters::deleteAll);
    }
}
