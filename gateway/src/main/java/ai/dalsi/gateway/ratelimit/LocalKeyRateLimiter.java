package ai.dalsi.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The single-node {@link KeyRateLimiter}: request buckets ({@link RequestBuckets}), token windows
 * ({@link KeyTokenWindows}) and month spends ({@link SpendBook}) in this process.
 *
 * <p>Admission is all or nothing without one lock over everything: each part checks and reserves
 * atomically under its own lock, in the order requests, key budget, user budget, tokens, and a
 * refusal undoes what the earlier parts reserved. Between the two a concurrent request may find
 * the state briefly fuller than it ends up, and be refused where a moment later it would not:
 * conservative, never an overshoot.
 */
final class LocalKeyRateLimiter implements KeyRateLimiter {

    private static final CompletableFuture<AdmissionDecision> EXEMPT =
            CompletableFuture.completedFuture(AdmissionDecision.EXEMPT);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final TimeMeter timeMeter;
    private final Clock clock;
    private final RequestBuckets requests;
    private final Cache<UUID, KeyTokenWindows> tokens;
    private final SpendBook keySpends;
    private final SpendBook userSpends;

    LocalKeyRateLimiter(TimeMeter timeMeter, Ticker ticker, Clock clock, long maxKeys, MonthlySpendSource spend,
            Executor spendLoads) {
        this.timeMeter = timeMeter;
        this.clock = clock;
        this.requests = new RequestBuckets(timeMeter, ticker, maxKeys);
        // Windows unused for longer than a day and a slot are empty anyway: dropping them loses nothing.
        this.tokens = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfterAccess(TokenWindow.DAY.period().plusNanos(TokenWindow.DAY.slotNanos()).plus(Duration.ofMinutes(1)))
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
        this.keySpends = new SpendBook(spend::keySpend, spendLoads);
        this.userSpends = new SpendBook(spend::userSpend, spendLoads);
    }

    @Override
    public CompletableFuture<RateLimitDecision> acquire(UUID keyId, RateLimits limits) {
        return CompletableFuture.completedFuture(requests.acquire(keyId, limits));
    }

    @Override
    public CompletableFuture<RateLimitDecision> peek(UUID keyId, RateLimits limits) {
        return CompletableFuture.completedFuture(requests.peek(keyId, limits));
    }

    @Override
    public AdmissionDecision.RequestsRefused fullWindow(UUID keyId, RateLimits limits, TokenLimits tokenLimits) {
        RateLimitDecision.Limited limited = requests.full(keyId, limits);
        return limited == null ? null
                : new AdmissionDecision.RequestsRefused(limited,
                        tokenStatus(keyId, tokenLimits, timeMeter.currentTimeNanos()));
    }

    @Override
    public CompletableFuture<AdmissionDecision> admit(AdmissionRequest r) {
        if (r.exempt()) {
            return EXEMPT;
        }
        MonthlyBudgets budgets = r.budgets();
        if (budgets.none()) {
            return CompletableFuture.completedFuture(decide(r, null, null, null));
        }
        YearMonth month = month();
        MonthlySpend key = budgets.key() == null ? null : keySpends.current(r.keyId(), month);
        MonthlySpend user = budgets.user() == null ? null : userSpends.current(r.userId(), month);
        boolean keyReady = budgets.key() == null || key != null;
        boolean userReady = budgets.user() == null || user != null;
        if (keyReady && userReady) {
            return CompletableFuture.completedFuture(decide(r, month, key, user));
        }
        // The first request of the month for this key or user: read the month's spend off the caller's thread.
        CompletableFuture<MonthlySpend> keyLoad = keyReady ? CompletableFuture.completedFuture(key)
                : keySpends.load(r.keyId(), month);
        CompletableFuture<MonthlySpend> userLoad = userReady ? CompletableFuture.completedFuture(user)
                : userSpends.load(r.userId(), month);
        return keyLoad.thenCombine(userLoad, (k, u) -> decide(r, month, k, u));
    }

    private AdmissionDecision decide(AdmissionRequest r, YearMonth month, MonthlySpend keySpend,
            MonthlySpend userSpend) {
        long now = timeMeter.currentTimeNanos();
        RateLimitDecision requestStatus = requests.acquire(r.keyId(), r.requestLimits());
        if (requestStatus instanceof RateLimitDecision.Limited limited) {
            return new AdmissionDecision.RequestsRefused(limited, tokenStatus(r.keyId(), r.tokenLimits(), now));
        }
        BigDecimal cost = r.worstCase().cost();
        if (keySpend != null) {
            BigDecimal committed = keySpend.tryReserve(cost, r.budgets().key());
            if (committed != null) {
                return new AdmissionDecision.BudgetRefused(BudgetScope.KEY, r.budgets().key(), committed, cost,
                        requests.giveBack(r.keyId(), r.requestLimits()), tokenStatus(r.keyId(), r.tokenLimits(), now));
            }
        }
        if (userSpend != null) {
            BigDecimal committed = userSpend.tryReserve(cost, r.budgets().user());
            if (committed != null) {
                if (keySpend != null) {
                    keySpend.release(cost);
                }
                return new AdmissionDecision.BudgetRefused(BudgetScope.USER, r.budgets().user(), committed, cost,
                        requests.giveBack(r.keyId(), r.requestLimits()), tokenStatus(r.keyId(), r.tokenLimits(), now));
            }
        }
        TokenStatus tokenStatus = null;
        long reservedTokens = 0;
        if (!r.tokenLimits().unlimited()) {
            KeyTokenWindows windows = tokens.get(r.keyId(), id -> new KeyTokenWindows());
            AdmissionDecision.TokensRefused refused = windows.tryReserve(now, r.worstCase().tokens(), r.tokenLimits(),
                    requestStatus);
            if (refused != null) {
                if (keySpend != null) {
                    keySpend.release(cost);
                }
                if (userSpend != null) {
                    userSpend.release(cost);
                }
                RateLimitDecision after = requests.giveBack(r.keyId(), r.requestLimits());
                return new AdmissionDecision.TokensRefused(refused.window(), refused.limit(), refused.used(),
                        refused.requested(), refused.retryAfterNanos(), refused.resetNanos(), refused.exceedsLimit(),
                        after);
            }
            reservedTokens = r.worstCase().tokens();
            tokenStatus = windows.status(now, r.tokenLimits());
        }
        boolean budgeted = keySpend != null || userSpend != null;
        Reservation reservation = new Reservation(r.keyId(), r.userId(), now, reservedTokens,
                budgeted ? cost : BigDecimal.ZERO, budgeted ? month : null, keySpend != null, userSpend != null);
        return new AdmissionDecision.Allowed(requestStatus, tokenStatus, reservation);
    }

    @Override
    public CompletableFuture<Void> settle(Reservation r, long usedTokens, BigDecimal cost) {
        if (!r.markSettled()) {
            return DONE;
        }
        if (r.tokens() > 0) {
            KeyTokenWindows windows = tokens.getIfPresent(r.keyId());
            if (windows != null) {
                windows.settle(timeMeter.currentTimeNanos(), r.atNanos(), r.tokens(), Math.max(0, usedTokens));
            }
        }
        if (r.keyBudget()) {
            settle(keySpends.current(r.keyId(), r.month()), r.cost(), cost);
        }
        if (r.userBudget()) {
            settle(userSpends.current(r.userId(), r.month()), r.cost(), cost);
        }
        return DONE;
    }

    /** A month already forgotten (the node saw the next one) has nothing left to settle into. */
    private static void settle(MonthlySpend spend, BigDecimal reserved, BigDecimal cost) {
        if (spend != null) {
            spend.settle(reserved, cost);
        }
    }

    @Override
    public CompletableFuture<TokenStatus> peekTokens(UUID keyId, TokenLimits limits) {
        return CompletableFuture.completedFuture(tokenStatus(keyId, limits, timeMeter.currentTimeNanos()));
    }

    @Override
    public CompletableFuture<BudgetStatus> keyBudget(UUID keyId, BigDecimal budget) {
        return budgetStatus(keySpends, keyId, budget);
    }

    @Override
    public CompletableFuture<BudgetStatus> userBudget(UUID userId, BigDecimal budget) {
        return budgetStatus(userSpends, userId, budget);
    }

    private CompletableFuture<BudgetStatus> budgetStatus(SpendBook book, UUID account, BigDecimal budget) {
        if (budget == null) {
            return CompletableFuture.completedFuture(null);
        }
        YearMonth month = month();
        MonthlySpend spend = book.current(account, month);
        if (spend != null) {
            return CompletableFuture.completedFuture(spend.status(budget));
        }
        return book.load(account, month).thenApply(s -> s.status(budget));
    }

    private TokenStatus tokenStatus(UUID keyId, TokenLimits limits, long now) {
        if (limits.unlimited()) {
            return null;
        }
        KeyTokenWindows windows = tokens.getIfPresent(keyId);
        if (windows == null) {
            TokenWindow tightest = limits.of(TokenWindow.MINUTE) <= limits.of(TokenWindow.DAY)
                    ? TokenWindow.MINUTE : TokenWindow.DAY;
            return new TokenStatus(tightest, limits.of(tightest), limits.of(tightest), 0);
        }
        return windows.status(now, limits);
    }

    private YearMonth month() {
        return YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
    }
}
