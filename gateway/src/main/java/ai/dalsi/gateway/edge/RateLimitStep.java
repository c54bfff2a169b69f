package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.gateway.ratelimit.OpenAiDuration;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import java.util.concurrent.CompletableFuture;

/**
 * Takes the request from the key's minute/hour/day budget; a refusal is 429 naming the window.
 * The decision is learned either way, for the response headers and the usage event. A limiter
 * that answers later (a shared store) makes the path wait ({@link StepResult.Pending}).
 */
final class RateLimitStep implements ExchangeStep {

    static final StepResult.Refusal UNAVAILABLE = StepResult.Refusal.of(ErrorCode.SERVICE_UNAVAILABLE,
            "Rate limits cannot be checked right now; please retry shortly.");
    private static final Learned.Admitted UNLIMITED = new Learned.Admitted(RateLimitDecision.UNLIMITED);

    private final KeyRateLimiter limiter;

    RateLimitStep(KeyRateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public StepResult apply(Exchange ex) {
        CompletableFuture<RateLimitDecision> f;
        try {
            f = limiter.acquire(ex.key().limiterId(), ex.key().limits());
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return StepResult.when(f, RateLimitStep::decided, e -> UNAVAILABLE);
    }

    static StepResult decided(RateLimitDecision d) {
        if (d instanceof RateLimitDecision.Limited l) {
            return new StepResult.Refusal(ErrorCode.RATE_LIMIT_EXCEEDED, "Rate limit reached for requests "
                    + l.window().phrase() + ": limit " + l.limit() + ". Please try again in "
                    + OpenAiDuration.format(l.retryAfterNanos()) + ".", null, null, new Learned.Admitted(d));
        }
        return d == RateLimitDecision.UNLIMITED ? UNLIMITED : new Learned.Admitted(d);
    }
}
