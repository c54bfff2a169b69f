package ai.dalsi.gateway.ratelimit;

/**
 * What a key's request windows answer, from the requests available in each (minute, hour, day):
 * shared by the local buckets ({@link RequestBuckets}) and the Redis script
 * ({@link RedisKeyRateLimiter}), so that both give the same headers and the same refusals.
 */
final class RequestAnswers {

    private static final RateWindow[] WINDOWS = RateWindow.values();

    private RequestAnswers() {
    }

    /** Allowed, naming the tightest window: the one with the fewest requests left. */
    static RateLimitDecision allowed(RateLimits limits, long[] available) {
        int tightest = 0;
        for (int i = 1; i < WINDOWS.length; i++) {
            if (available[i] < available[tightest]) {
                tightest = i;
            }
        }
        long remaining = Math.max(0, available[tightest]);
        return new RateLimitDecision.Allowed(WINDOWS[tightest], limits.of(WINDOWS[tightest]), remaining,
                resetNanos(limits, tightest, remaining));
    }

    /**
     * Refused, naming the window that takes longest to allow another request among those with
     * none left.
     *
     * @param waitNanos until one more request fits in every window
     */
    static RateLimitDecision.Limited limited(RateLimits limits, long[] available, long waitNanos) {
        int refusing = -1;
        long longestWait = -1;
        for (int i = 0; i < WINDOWS.length; i++) {
            if (available[i] < 1) {
                long wait = nanosPerToken(limits, i);
                if (wait >= longestWait) {
                    longestWait = wait;
                    refusing = i;
                }
            }
        }
        if (refusing < 0) {
            refusing = 0;
        }
        long limit = limits.of(WINDOWS[refusing]);
        return new RateLimitDecision.Limited(WINDOWS[refusing], limit, waitNanos,
                resetNanos(limits, refusing, available[refusing]));
    }

    /** Until the window is full again: the missing requests at its greedy refill rate. */
    static long resetNanos(RateLimits limits, int window, long available) {
        long limit = limits.of(WINDOWS[window]);
        long missing = Math.max(0, limit - available);
        long period = WINDOWS[window].period().toNanos();
        // period <= 1 day in nanos (8.64e13); missing * period can overflow for huge limits, so divide first when needed.
        if (missing != 0 && period > Long.MAX_VALUE / missing) {
            return (long) ((double) missing * period / limit);
        }
        return missing * period / limit;
    }

    private static long nanosPerToken(RateLimits limits, int window) {
        return WINDOWS[window].period().toNanos() / limits.of(WINDOWS[window]);
    }
}
