package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.ratelimit.AdmissionDecision;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;

/**
 * A key whose request window (per minute, hour or day) is full right now is refused from the
 * request's head, before its body is read or parsed: the same 429 {@code rate_limit_exceeded},
 * headers and usage event as {@link RateLimitStep} gives, for the cost of a look at the key's
 * buckets. A client that keeps sending while over its limit costs no body buffer, no JSON parse
 * and no admission; its body is dropped (or the connection closed) as for any refusal from the
 * head. Such a refusal names no model (none was read). The limiter answers only from this
 * process's memory ({@link KeyRateLimiter#fullWindow}): with limits in Redis every request goes on
 * to the rate-limit step, which decides in its one round trip.
 */
final class FullWindowStep implements ExchangeStep {

    private final KeyRateLimiter limiter;

    FullWindowStep(KeyRateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public StepResult apply(Exchange ex) {
        ApiKey key = ex.key();
        AdmissionDecision.RequestsRefused refused = limiter.fullWindow(key.limiterId(), key.limits(),
                key.tokenLimits());
        return refused == null ? Learned.NOTHING : RateLimitStep.decided(refused, null, key.keyPrefix());
    }
}
