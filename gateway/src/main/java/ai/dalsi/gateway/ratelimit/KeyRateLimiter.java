package ai.dalsi.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Everything that limits a key, behind one seam: requests per minute, hour and day; tokens per
 * minute and day; the key's and its owner's monthly budgets. The edge depends only on this
 * interface: the local implementation ({@link #local}) keeps all of it in this process; a
 * cluster-wide one (state in Redis) can replace it with no change to the handlers, which is why
 * results are futures (a remote store answers later; the local one answers at once, already
 * complete, except while it reads a month's spend from the ledger).
 *
 * <h2>Admission and settlement</h2>
 * {@link #admit} takes one request from the request windows, reserves the request's worst-case
 * tokens in the key's token windows and its worst-case cost against the key's and the user's
 * budgets for the current UTC month, all or nothing; a refused request takes, reserves and spends
 * nothing. {@link #settle} at the end of the exchange replaces the reservation with the real tokens
 * and cost, giving back the rest, or charging the excess when the request used more than its worst
 * case. The checks are ordered requests, budgets (key, then user), tokens: a refusal names the
 * request windows first (as before token limits existed), then the cause that waiting does not cure.
 *
 * <h2>The bound</h2>
 * A token limit or a budget is overshot at most by what admitted requests use beyond their
 * reservations: zero when the backend honours {@code max_tokens} and the prompt is counted as the
 * backend counts it. Token windows are sliding and counted conservatively
 * ({@link SlidingTokenWindow}), so the tokens of the requests admitted in any one minute (any one
 * day) stay within that bound of the limit. A budget is checked against the month's spend from the
 * ledger plus the reservations in flight, so the ledger's sum for the month stays within that bound
 * of the budget.
 *
 * <h2>Shared by every node</h2>
 * {@link RedisKeyRateLimiter} keeps the same state in Redis: one admission is one atomic step over
 * small integer state keyed by the key's and the user's ids (bucket state, token slots by absolute
 * index, the month's spend in micro-dollars), one Lua script, one round trip; a {@link Reservation}
 * is plain data, so settlement is another script. {@link FallbackKeyRateLimiter} answers with the
 * local limiter while Redis is away; {@link SharedLimits} builds the two from {@code ratelimit.*}.
 */
public interface KeyRateLimiter {

    /** Takes one request from the key's budget, or says which window refuses it. */
    CompletableFuture<RateLimitDecision> acquire(UUID keyId, RateLimits limits);

    /**
     * The key's budget without taking anything: for the headers of a response the edge refused
     * before the limit step (a 403, a 404 for a model). Never {@link RateLimitDecision.Limited}.
     */
    CompletableFuture<RateLimitDecision> peek(UUID keyId, RateLimits limits);

    /**
     * The refusal {@link #admit} would give now because a request window of the key is full, when
     * this limiter knows it without waiting (from this process's memory); null when a request fits,
     * or when knowing would take a round trip to a shared store. Takes nothing. Lets the edge
     * refuse such a request from its head, before reading its body.
     */
    default AdmissionDecision.RequestsRefused fullWindow(UUID keyId, RateLimits limits, TokenLimits tokenLimits) {
        return null;
    }

    /**
     * Decides whether a request may go on, reserving its worst case when it may. Fails (the future
     * completes exceptionally) only when the month's spend could not be read from the ledger; the
     * next request asks again.
     */
    CompletableFuture<AdmissionDecision> admit(AdmissionRequest request);

    /**
     * Ends an admitted request: its reservation becomes the real {@code tokens} and {@code cost}
     * (prompt plus completion tokens; the cost the ledger records). Settling a reservation twice
     * changes nothing the second time. A request admitted in one month and settled in the next
     * counts in the month it was admitted in, as its ledger row does.
     */
    CompletableFuture<Void> settle(Reservation reservation, long tokens, BigDecimal cost);

    /** Ends an admitted request that consumed nothing (it never reached the backend). */
    default CompletableFuture<Void> release(Reservation reservation) {
        return settle(reservation, 0, BigDecimal.ZERO);
    }

    /**
     * The key's tightest token window without reserving anything, for the headers of a response
     * refused before admission; null when the key has no token limits.
     */
    CompletableFuture<TokenStatus> peekTokens(UUID keyId, TokenLimits limits);

    /** Where a key's budget stands this month (null without one). */
    CompletableFuture<BudgetStatus> keyBudget(UUID keyId, BigDecimal budget);

    /** Where a user's budget stands this month (null without one). */
    CompletableFuture<BudgetStatus> userBudget(UUID userId, BigDecimal budget);

    /**
     * Request limits only, in this process, timed by {@code timeMeter} (tests move it), with no
     * ledger behind budgets (a month's spend starts at zero): the single-node limiter as it was
     * before token limits and budgets.
     *
     * @param maxKeys most keys whose buckets are held; an evicted key starts again with a full bucket
     */
    static KeyRateLimiter local(TimeMeter timeMeter, Ticker ticker, long maxKeys) {
        return local(timeMeter, ticker, Clock.systemUTC(), maxKeys, MonthlySpendSource.NONE, Runnable::run);
    }

    /**
     * Everything in this process.
     *
     * @param timeMeter  times request buckets and token windows (tests move it)
     * @param ticker     times the caches that hold them
     * @param clock      decides the UTC month budgets count in
     * @param maxKeys    most keys whose buckets and token windows are held; an evicted key starts again
     *                   with full buckets and empty windows (a key's month spend is never evicted)
     * @param spend      where a month's spend starts (the ledger's rollups)
     * @param spendLoads runs {@code spend}'s blocking reads (never an event loop)
     */
    static KeyRateLimiter local(TimeMeter timeMeter, Ticker ticker, Clock clock, long maxKeys,
            MonthlySpendSource spend, Executor spendLoads) {
        return new LocalKeyRateLimiter(timeMeter, ticker, clock, maxKeys, spend, spendLoads);
    }
}
