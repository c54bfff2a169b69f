package ai.dalsi.persistence.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition that another thread or process makes true (a row written by the metering
 * writer, a cache invalidated by NOTIFY), polling every few milliseconds up to a deadline. Tests
 * await conditions; they never sleep a fixed time.
 */
public final class Eventually {

    private Eventually() {
    }

    /** Returns when the condition holds; fails with the description once the timeout passes. */
    public static void await(String description, Duration timeout, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
                last = null;
            } catch (Exception | AssertionError e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError failure = new AssertionError("not true after " + timeout + ": " + description);
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    /** {@link #await(String, Duration, Callable)} with a ten second timeout. */
    public static void await(String description, Callable<Boolean> condition) {
        await(description, Duration.ofSeconds(10), condition);
    }
}
