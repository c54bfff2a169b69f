package ai.dalsi.gateway.ratelimit;

import ai.dalsi.gateway.testing.FakeTime;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * The machine's Redis (127.0.0.1:6379) for the limiter's contract tests: one connection for the
 * test run, a fresh key prefix per test, and the prefix's keys deleted after it.
 */
final class RedisLimiters {

    static final String URL = System.getProperty("gateway.test.redisUrl", "redis://127.0.0.1:6379");

    private static StatefulRedisConnection<String, String> connection;

    private RedisLimiters() {
    }

    static synchronized StatefulRedisConnection<String, String> connection() {
        if (connection == null) {
            connection = RedisClient.create(URL).connect();
        }
        return connection;
    }

    /** A prefix no other test uses. */
    static String uniquePrefix() {
        return "gateway-test:" + UUID.randomUUID() + ":";
    }

    static RedisKeyRateLimiter limiter(String prefix, FakeTime time, MonthlySpendSource spend, Executor loads) {
        return new RedisKeyRateLimiter(connection().async(), prefix, time, time, spend, loads, Duration.ofSeconds(2));
    }

    /** Deletes every key under {@code prefix}. */
    static void deleteAll(String prefix) {
        if (prefix == null) {
            return;
        }
        RedisCommands<String, String> sync = connection().sync();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            var page = sync.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
            if (!page.getKeys().isEmpty()) {
                sync.del(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
    }
}
