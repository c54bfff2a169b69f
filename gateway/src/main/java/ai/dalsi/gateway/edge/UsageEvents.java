package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.UsageEvent;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;

/**
 * Builds the {@link UsageEvent} of an exchange that presented a known key, from what the steps
 * learned and how it ended. Built with the record's constructor, not its builder: one object per
 * request instead of two.
 */
final class UsageEvents {

    private static final int MAX_USER_AGENT = 512;

    private final Clock clock;

    UsageEvents(Clock clock) {
        this.clock = clock;
    }

    /**
     * The event of {@code ex}, whose key is known.
     *
     * @param backend  the backend that answered (or was tried last), or null when none was called
     * @param attempts backends tried (0 when none was called)
     * @param refused whether the edge refused it itself, without a backend (counted, sampled as rows)
     */
    UsageEvent of(Exchange ex, int status, long responseBytes, TokenUsage usage, BigDecimal cost, String errorMessage,
            Integer backendLatencyMs, String backend, int attempts, boolean clientAborted, boolean refused,
            long nowNanos) {
        ApiKey key = ex.key();
        Instant now = clock.instant();
        Integer remaining = null;
        Instant reset = null;
        RateLimitDecision limit = ex.limit();
        if (limit instanceof RateLimitDecision.Allowed a) {
            remaining = (int) Math.min(Integer.MAX_VALUE, a.remaining());
            reset = now.plusNanos(a.resetNanos());
        } else if (limit instanceof RateLimitDecision.Limited l) {
            remaining = 0;
            reset = now.plusNanos(l.resetNanos());
        }
        Learned.Caller caller = ex.caller();
        String ua = caller == null ? null : caller.userAgent();
        if (ua != null && ua.length() > MAX_USER_AGENT) {
            ua = ua.substring(0, MAX_USER_AGENT);
        }
        long millis = (nowNanos - ex.arrivalNanos) / 1_000_000;
        return new UsageEvent(ex.id, key.userId(), key.id(), ex.path, ex.method.name(), status,
                (int) Math.min(Integer.MAX_VALUE, millis), ex.requestBytes, responseBytes,
                caller == null ? null : caller.addressText(), usage, cost, key.tierAt(now).dbValue(), errorMessage, ua,
                remaining, reset, ex.modelName(), ex.product() == null ? null : ex.product().name(), ex.stream(),
                backendLatencyMs, clientAborted, backend, attempts, refused);
    }
}
