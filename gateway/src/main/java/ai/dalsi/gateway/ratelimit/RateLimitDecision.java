package ai.dalsi.gateway.ratelimit;

/**
 * The outcome of asking a {@link KeyRateLimiter}: what the response headers say
 * ({@code x-ratelimit-*} for the tightest window) and whether the request may go on.
 */
public sealed interface RateLimitDecision {

    /**
     * The request may go on.
     *
     * @param window     the tightest window: the one with the fewest requests left
     * @param limit      that window's limit
     * @param remaining  requests left in it after this one
     * @param resetNanos until it is full again
     */
    record Allowed(RateWindow window, long limit, long remaining, long resetNanos) implements RateLimitDecision {
    }

    /**
     * The request is refused (429).
     *
     * @param window          the window that refused it (the one that takes longest to allow another)
     * @param limit           that window's limit
     * @param retryAfterNanos until a request would be allowed again
     * @param resetNanos      until that window is full again
     */
    record Limited(RateWindow window, long limit, long retryAfterNanos, long resetNanos) implements RateLimitDecision {
    }

    /** No limits apply (internal keys): no rate-limit headers. */
    record Unlimited() implements RateLimitDecision {
    }

    Unlimited UNLIMITED = new Unlimited();
}
