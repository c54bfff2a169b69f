package ai.dalsi.gateway.ratelimit;

import ai.dalsi.gateway.testing.FakeTime;
import org.junit.jupiter.api.AfterEach;

/** {@link LocalKeyRateLimiterTest}'s request windows, answered by the Redis script. */
class RedisKeyRateLimiterIT extends LocalKeyRateLimiterTest {

    private String prefix;

    @Override
    protected boolean knowsFullWindowsLocally() {
        return false;
    }

    @Override
    protected KeyRateLimiter newLimiter(FakeTime time) {
        prefix = RedisLimiters.uniquePrefix();
        return RedisLimiters.limiter(prefix, time, MonthlySpendSource.NONE, Runnable::run);
    }

    @AfterEach
    void deleteKeys() {
        RedisLimiters.deleteAll(prefix);
    }
}
