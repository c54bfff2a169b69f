package ai.dalsi.gateway.ratelimit;

import ai.dalsi.gateway.testing.FakeTime;
import org.junit.jupiter.api.AfterEach;

/** {@link KeyAdmissionTest}'s token windows, reservations and settlement, answered by the Redis script. */
class RedisKeyAdmissionIT extends KeyAdmissionTest {

    private String prefix;

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
