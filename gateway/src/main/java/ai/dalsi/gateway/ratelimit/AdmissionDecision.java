package ai.dalsi.gateway.ratelimit;

import java.math.BigDecimal;

/**
 * The outcome of {@link KeyRateLimiter#admit}: the request goes on (holding a reservation), or it is
 * refused for requests, tokens or a budget, with what the response headers and message need. A
 * refused request reserves and spends nothing.
 */
public sealed interface AdmissionDecision {

    /**
     * Admitted. The reservation must be handed back to {@link KeyRateLimiter#settle} when the
     * exchange ends, whatever its outcome.
     *
     * @param requests    the request windows after this request ({@link RateLimitDecision.Allowed},
     *                    or {@link RateLimitDecision.Unlimited} when the key has no request limits)
     * @param tokens      the tightest token window after the reservation, or null when the key has
     *                    no token limits (no token headers)
     * @param reservation what to settle
     */
    record Allowed(RateLimitDecision requests, TokenStatus tokens, Reservation reservation)
            implements AdmissionDecision {
    }

    /**
     * Refused by a request window: 429 {@code rate_limit_exceeded}, type {@code requests}.
     *
     * @param tokens the tightest token window, or null without token limits
     */
    record RequestsRefused(RateLimitDecision.Limited requests, TokenStatus tokens) implements AdmissionDecision {
    }

    /**
     * Refused by a token window: 429 {@code rate_limit_exceeded}, type {@code tokens}.
     *
     * @param window          the refusing window (the one that takes longest to allow the request)
     * @param limit           its limit
     * @param used            tokens it already holds
     * @param requested       the request's worst case
     * @param retryAfterNanos until the window would admit the request, if nothing else came; 0 when
     *                        {@code exceedsLimit}
     * @param resetNanos      until the window is empty again
     * @param exceedsLimit    the worst case alone is over the limit: no wait can admit it (OpenAI's
     *                        "Request too large"; the client must ask for fewer tokens)
     * @param requests        the request windows (nothing was taken from them)
     */
    record TokensRefused(TokenWindow window, long limit, long used, long requested, long retryAfterNanos,
            long resetNanos, boolean exceedsLimit, RateLimitDecision requests) implements AdmissionDecision {
    }

    /**
     * Refused by a monthly budget: 429 {@code insufficient_quota}, not worth retrying before the
     * month ends or the budget is raised ({@code x-should-retry: false}).
     *
     * @param scope     the key's budget or the user's
     * @param budget    that budget, USD
     * @param committed spent this month plus reserved by requests in flight
     * @param requested the request's worst-case cost
     * @param requests  the request windows (nothing was taken from them)
     * @param tokens    the tightest token window, or null without token limits
     */
    record BudgetRefused(BudgetScope scope, BigDecimal budget, BigDecimal committed, BigDecimal requested,
            RateLimitDecision requests, TokenStatus tokens) implements AdmissionDecision {
    }

    /** Nothing limits the key (internal keys): no rate-limit headers, nothing to settle. */
    record Exempt() implements AdmissionDecision {
    }

    Exempt EXEMPT = new Exempt();
}
