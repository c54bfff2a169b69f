package ai.dalsi.gateway.webhooks;

import ai.dalsi.gateway.config.WebhooksConfig;
import java.time.Duration;
import java.time.Instant;

/**
 * When a failed delivery is tried again: after {@code backoffMin}, doubling after each failure up to
 * {@code backoffMax}, until {@code maxAttempts} attempts have failed; then the event is failed for
 * good (an admin can redeliver it). No jitter: events of one receiver already spread over time by
 * when they were created, and a fixed schedule is what the README can state.
 */
record RetryPolicy(int maxAttempts, Duration backoffMin, Duration backoffMax) {

    static RetryPolicy of(WebhooksConfig config) {
        return new RetryPolicy(config.maxAttempts(), config.retryBackoffMin(), config.retryBackoffMax());
    }

    /** The wait after failed attempt number {@code attempt} (1-based). */
    Duration delayAfter(int attempt) {
        Duration d = backoffMin;
        for (int i = 1; i < attempt && d.compareTo(backoffMax) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(backoffMax) > 0 ? backoffMax : d;
    }

    /** When to try again after failed attempt {@code attempt}, or null when it was the last one. */
    Instant retryAt(int attempt, Instant failedAt) {
        return attempt >= maxAttempts ? null : failedAt.plus(delayAfter(attempt));
    }
}
