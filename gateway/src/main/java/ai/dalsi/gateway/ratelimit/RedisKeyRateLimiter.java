package ai.dalsi.gateway.ratelimit;

import io.github.bucket4j.TimeMeter;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The cluster-wide {@link KeyRateLimiter}: request buckets, token windows with their reservations
 * and the month's spend of keys and users live in Redis, so every node behind a load balancer
 * counts against the same state and a key allowed 30 requests a minute gets 30 however many nodes
 * serve it.
 *
 * <h2>Why one Lua script and not Bucket4j's Redis integration</h2>
 * Bucket4j's Lettuce proxy keeps a bucket as a serialized blob and changes it by compare-and-swap:
 * read the state, compute on the node, write it back if nobody wrote meanwhile. That is at least two
 * round trips per check and, on one hot key hit by every node at once, a retry loop that is
 * reported to need dozens of attempts (bucket4j #407, #479): the hottest keys, the ones a shared
 * limit exists for, pay the most. It also covers only request buckets: token windows, reservations
 * and budgets would need more state, more round trips and no atomicity between them. Here one
 * script ({@code key-limits.lua}) checks and changes everything one admission touches (request
 * windows, token windows, the key's and the user's month spend), all or nothing: one round trip,
 * never a retry, and Redis runs it atomically, so no two nodes can both take the last request.
 * The script is sent by SHA ({@code EVALSHA}); a Redis that does not know it yet (restarted,
 * failed over, flushed) answers {@code NOSCRIPT} and the same call goes again with the text.
 *
 * <h2>Time</h2>
 * The script is given the node's clock (its {@link TimeMeter}, in microseconds) rather than reading
 * Redis {@code TIME}: the same injected clock then times the local and the Redis limiter (tests
 * move it; the local fallback and the shared state agree on slot indexes), and the script stays a
 * pure function of its arguments. The price is clock skew between nodes, which NTP keeps to
 * milliseconds: a node whose clock is behind sees a bucket refilled a few milliseconds less (never
 * more: the theoretical arrival times only move forward) and may count one token slot more
 * (conservative). A request is never admitted twice because of skew.
 *
 * <h2>Units and keys</h2>
 * Times are microseconds and money micro-dollars, integers a Lua double holds exactly; a cost is
 * rounded up to the micro-dollar and a budget down, so rounding never lets spend cross a budget.
 * Keys are {@code <prefix>{k:<key id>}:req|tpm|tpd|spend:<yyyy-MM>} and
 * {@code <prefix>{u:<user id>}:spend:<yyyy-MM>}; a month's spend is seeded from the ledger
 * ({@link MonthlySpendSource}) by the first node that needs it and expires a week after the month
 * (settlements of requests admitted at the month's end still land in it).
 *
 * <p>Every call completes asynchronously on Lettuce's threads (never blocking the caller); a call
 * Redis does not answer within {@code timeout} fails with a {@link java.util.concurrent.TimeoutException},
 * which {@link FallbackKeyRateLimiter} turns into a local answer.
 */
public final class RedisKeyRateLimiter implements KeyRateLimiter {

    /** The script's source. */
    static final String SCRIPT = load("key-limits.lua");
    /** Its SHA-1, what {@code EVALSHA} names it by. */
    static final String SHA = sha1(SCRIPT);

    private static final long MICROS = 1_000L;
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final CompletableFuture<AdmissionDecision> EXEMPT =
            CompletableFuture.completedFuture(AdmissionDecision.EXEMPT);

    private final java.util.function.Supplier<RedisScriptingAsyncCommands<String, String>> redis;
    private final String prefix;
    private final TimeMeter timeMeter;
    private final Clock clock;
    private final MonthlySpendSource spend;
    private final Executor spendLoads;
    private final Duration timeout;
    /** Seeds in flight or just done, by Redis key: a minute is far longer than any admission waits for one. */
    private final com.github.benmanes.caffeine.cache.Cache<String, CompletableFuture<Void>> seeding =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1))
                    .executor(Runnable::run).build();

    /**
     * @param redis      a Lettuce connection's async commands (standalone, Sentinel or Cluster)
     * @param prefix     put before every key, so gateways (or tests) can share one Redis
     * @param timeMeter  the node's clock for buckets and token slots; nodes must agree on it (wall time)
     * @param clock      decides the UTC month budgets count in
     * @param spend      where a month's spend starts
     * @param spendLoads runs {@code spend}'s blocking reads (never an event loop)
     * @param timeout    how long one call may wait for Redis
     */
    public RedisKeyRateLimiter(RedisScriptingAsyncCommands<String, String> redis, String prefix, TimeMeter timeMeter,
            Clock clock, MonthlySpendSource spend, Executor spendLoads, Duration timeout) {
        this(() -> redis, prefix, timeMeter, clock, spend, spendLoads, timeout);
    }

    /** @param redis the commands of a connection, or null while there is none (every call then fails at once) */
    RedisKeyRateLimiter(java.util.function.Supplier<RedisScriptingAsyncCommands<String, String>> redis, String prefix,
            TimeMeter timeMeter, Clock clock, MonthlySpendSource spend, Executor spendLoads, Duration timeout) {
        this.redis = redis;
        this.prefix = prefix;
        this.timeMeter = timeMeter;
        this.clock = clock;
        this.spend = spend;
        this.spendLoads = spendLoads;
        this.timeout = timeout;
    }

    @Override
    public CompletableFuture<RateLimitDecision> acquire(UUID keyId, RateLimits limits) {
        if (limits.unlimited()) {
            return CompletableFuture.completedFuture(RateLimitDecision.UNLIMITED);
        }
        return run(keys(requestKey(keyId)), "acquire", now(), Long.toString(limits.perMinute()),
                Long.toString(limits.perHour()), Long.toString(limits.perDay()))
                .thenApply(r -> {
                    long[] available = {num(r, 1), num(r, 2), num(r, 3)};
                    return "ok".equals(r.get(0)) ? RequestAnswers.allowed(limits, available)
                            : RequestAnswers.limited(limits, available, num(r, 4) * MICROS);
                });
    }

    @Override
    public CompletableFuture<RateLimitDecision> peek(UUID keyId, RateLimits limits) {
        if (limits.unlimited()) {
            return CompletableFuture.completedFuture(RateLimitDecision.UNLIMITED);
        }
        return run(keys(requestKey(keyId)), "peek", now(), Long.toString(limits.perMinute()),
                Long.toString(limits.perHour()), Long.toString(limits.perDay()))
                .thenApply(r -> RequestAnswers.allowed(limits, new long[] {num(r, 1), num(r, 2), num(r, 3)}));
    }

    @Override
    public CompletableFuture<AdmissionDecision> admit(AdmissionRequest r) {
        if (r.exempt()) {
            return EXEMPT;
        }
        YearMonth month = r.budgets().none() ? null : month();
        return admit(r, month, 0, null);
    }

    /**
     * @param seeded     month spends seeded so far for this admission (the key's, then the user's)
     * @param lastSeeded the spend seeded last, or null
     */
    private CompletableFuture<AdmissionDecision> admit(AdmissionRequest r, YearMonth month, int seeded,
            String lastSeeded) {
        RateLimits rl = r.requestLimits();
        TokenLimits tl = r.tokenLimits();
        MonthlyBudgets b = r.budgets();
        long cost = costMicros(r.worstCase().cost());
        long nowNanos = timeMeter.currentTimeNanos();
        String[] keys = admissionKeys(r.keyId(), r.userId(), month, b.user() != null);
        return run(keys, "admit", Long.toString(Math.floorDiv(nowNanos, MICROS)),
                rl.unlimited() ? "0" : Long.toString(rl.perMinute()), rl.unlimited() ? "0" : Long.toString(rl.perHour()),
                rl.unlimited() ? "0" : Long.toString(rl.perDay()), tokenLimit(tl, TokenWindow.MINUTE),
                tokenLimit(tl, TokenWindow.DAY), Long.toString(tl.unlimited() ? 0 : r.worstCase().tokens()),
                Long.toString(cost), b.key() == null ? "-1" : Long.toString(budgetMicros(b.key())),
                b.user() == null ? "-1" : Long.toString(budgetMicros(b.user())))
                .thenCompose(reply -> {
                    String status = (String) reply.get(0);
                    if ("seed".equals(status)) {
                        if (seeded >= 3) {
                            throw new IllegalStateException("the month's spend vanished from Redis while seeding it");
                        }
                        boolean user = num(reply, 1) == 2;
                        String spendKey = user ? keys[4] : keys[3];
                        if (spendKey.equals(lastSeeded)) {
                            // Seeded a moment ago and gone again (Redis restarted empty): read the ledger again.
                            seeding.invalidate(spendKey);
                        }
                        return seed(spendKey, user ? r.userId() : r.keyId(), user, month)
                                .thenCompose(v -> admit(r, month, seeded + 1, spendKey));
                    }
                    return CompletableFuture.completedFuture(decision(r, month, nowNanos, cost, reply));
                });
    }

    private AdmissionDecision decision(AdmissionRequest r, YearMonth month, long nowNanos, long cost, List<Object> reply) {
        String status = (String) reply.get(0);
        RateLimits rl = r.requestLimits();
        TokenLimits tl = r.tokenLimits();
        long[] available = {num(reply, 1), num(reply, 2), num(reply, 3)};
        long[] used = {num(reply, 5), num(reply, 8)};
        long[] reset = {num(reply, 6) * MICROS, num(reply, 9) * MICROS};
        long[] retry = {num(reply, 7), num(reply, 10)};
        TokenStatus tokens = tokenStatus(tl, used, reset);
        RateLimitDecision requests = rl.unlimited() ? RateLimitDecision.UNLIMITED : RequestAnswers.allowed(rl, available);
        BigDecimal worstCost = r.worstCase().cost();
        return switch (status) {
            case "ok" -> {
                boolean budgeted = !r.budgets().none();
                long reservedTokens = tl.unlimited() ? 0 : r.worstCase().tokens();
                yield new AdmissionDecision.Allowed(requests, tokens, new Reservation(r.keyId(), r.userId(), nowNanos,
                        reservedTokens, budgeted ? worstCost : BigDecimal.ZERO, budgeted ? month : null,
                        r.budgets().key() != null, r.budgets().user() != null));
            }
            case "requests" -> new AdmissionDecision.RequestsRefused(
                    RequestAnswers.limited(rl, available, num(reply, 4) * MICROS), tokens);
            case "key" -> new AdmissionDecision.BudgetRefused(BudgetScope.KEY, r.budgets().key(),
                    usd(num(reply, 11)), worstCost, requests, tokens);
            case "user" -> new AdmissionDecision.BudgetRefused(BudgetScope.USER, r.budgets().user(),
                    usd(num(reply, 11)), worstCost, requests, tokens);
            case "tokens" -> tokensRefused(tl, r.worstCase().tokens(), used, reset, retry, requests);
            default -> throw new IllegalStateException("unexpected answer from Redis: " + status);
        };
    }

    /** The refusing token window: one that can never take the request, else the one that takes longest to. */
    private static AdmissionDecision.TokensRefused tokensRefused(TokenLimits limits, long tokens, long[] used,
            long[] reset, long[] retry, RateLimitDecision requests) {
        AdmissionDecision.TokensRefused refusal = null;
        for (TokenWindow w : TokenWindow.values()) {
            int i = w.ordinal();
            long limit = limits.of(w);
            if (!limits.limits(w) || tokens <= limit - used[i]) {
                continue;
            }
            boolean exceeds = retry[i] < 0;
            AdmissionDecision.TokensRefused r = new AdmissionDecision.TokensRefused(w, limit, used[i], tokens,
                    exceeds ? 0 : retry[i] * MICROS, reset[i], exceeds, requests);
            if (refusal == null || (r.exceedsLimit() != refusal.exceedsLimit() ? r.exceedsLimit()
                    : r.retryAfterNanos() > refusal.retryAfterNanos())) {
                refusal = r;
            }
        }
        return refusal;
    }

    /** The tightest limited token window (fewest tokens left), as {@link KeyTokenWindows#status}. */
    private static TokenStatus tokenStatus(TokenLimits limits, long[] used, long[] reset) {
        if (limits.unlimited()) {
            return null;
        }
        TokenStatus tightest = null;
        for (TokenWindow w : TokenWindow.values()) {
            if (!limits.limits(w)) {
                continue;
            }
            long limit = limits.of(w);
            long remaining = Math.max(0, limit - used[w.ordinal()]);
            if (tightest == null || remaining < tightest.remaining()) {
                tightest = new TokenStatus(w, limit, remaining, reset[w.ordinal()]);
            }
        }
        return tightest;
    }

    @Override
    public CompletableFuture<Void> settle(Reservation r, long usedTokens, BigDecimal cost) {
        if (!r.markSettled()) {
            return DONE;
        }
        return settleMarked(r, usedTokens, cost);
    }

    /** {@link #settle} of a reservation already marked settled (a settlement replayed after an outage). */
    CompletableFuture<Void> settleMarked(Reservation r, long usedTokens, BigDecimal cost) {
        if (r.tokens() == 0 && !r.keyBudget() && !r.userBudget()) {
            return DONE;
        }
        return run(admissionKeys(r.keyId(), r.userId(), r.month(), r.userBudget()), "settle", now(),
                Long.toString(Math.floorDiv(r.atNanos(), MICROS)), Long.toString(r.tokens()),
                Long.toString(Math.max(0, usedTokens)), Long.toString(costMicros(r.cost())),
                Long.toString(costMicros(cost)), r.keyBudget() ? "1" : "0", r.userBudget() ? "1" : "0")
                .thenApply(reply -> null);
    }

    @Override
    public CompletableFuture<TokenStatus> peekTokens(UUID keyId, TokenLimits limits) {
        if (limits.unlimited()) {
            return CompletableFuture.completedFuture(null);
        }
        return run(keys(keyPart(keyId) + ":tpm", keyPart(keyId) + ":tpd"), "tokens", now())
                .thenApply(r -> tokenStatus(limits, new long[] {num(r, 1), num(r, 3)},
                        new long[] {num(r, 2) * MICROS, num(r, 4) * MICROS}));
    }

    @Override
    public CompletableFuture<BudgetStatus> keyBudget(UUID keyId, BigDecimal budget) {
        return budget(keyId, false, budget);
    }

    @Override
    public CompletableFuture<BudgetStatus> userBudget(UUID userId, BigDecimal budget) {
        return budget(userId, true, budget);
    }

    private CompletableFuture<BudgetStatus> budget(UUID account, boolean user, BigDecimal budget) {
        if (budget == null) {
            return CompletableFuture.completedFuture(null);
        }
        YearMonth month = month();
        String key = spendKey(account, user, month);
        return budgetOnce(key, month, budget).thenCompose(s -> s != null ? CompletableFuture.completedFuture(s)
                : reseed(key, account, user, month).thenCompose(v -> budgetOnce(key, month, budget)));
    }

    private CompletableFuture<BudgetStatus> budgetOnce(String key, YearMonth month, BigDecimal budget) {
        return run(keys(key), "budget", now()).thenApply(r -> {
            if ("seed".equals(r.get(0))) {
                return null;
            }
            BigDecimal spent = usd(num(r, 1));
            BigDecimal reserved = usd(num(r, 2));
            BigDecimal left = budget.subtract(spent).subtract(reserved);
            return new BudgetStatus(month, budget, spent, reserved, left.signum() < 0 ? BigDecimal.ZERO : left);
        });
    }

    /**
     * Reads the month's spend from the ledger (on the loader) and stores it unless another node did
     * first. Requests of one node that find the month missing at once share one read; a failed read
     * is forgotten, so the next request asks the ledger again.
     */
    private CompletableFuture<Void> seed(String key, UUID account, boolean user, YearMonth month) {
        CompletableFuture<Void> f = seeding.asMap().computeIfAbsent(key, k -> seedOnce(key, account, user, month));
        f.whenComplete((v, e) -> {
            if (e != null) {
                seeding.asMap().remove(key, f);
            }
        });
        return f;
    }

    /** {@link #seed}, forgetting a seed this node made earlier (Redis no longer has it). */
    private CompletableFuture<Void> reseed(String key, UUID account, boolean user, YearMonth month) {
        seeding.invalidate(key);
        return seed(key, account, user, month);
    }

    private CompletableFuture<Void> seedOnce(String key, UUID account, boolean user, YearMonth month) {
        return CompletableFuture.supplyAsync(() -> user
                ? spend.userSpend(account, SpendBook.start(month), SpendBook.start(month.plusMonths(1)))
                : spend.keySpend(account, SpendBook.start(month), SpendBook.start(month.plusMonths(1))), spendLoads)
                .thenCompose(seed -> run(keys(key), "seed", now(), Long.toString(costMicros(seed)),
                        Long.toString(secondsToKeep(month))))
                .thenApply(r -> null);
    }

    /**
     * How long a month's spend is kept: until a week after the month, counted on the node's clock
     * (the month ended a week ago or more on a node whose clock says so: one more week).
     */
    private long secondsToKeep(YearMonth month) {
        long until = SpendBook.start(month.plusMonths(1)).plus(Duration.ofDays(7)).getEpochSecond();
        return Math.max(until - clock.instant().getEpochSecond(), Duration.ofDays(7).toSeconds());
    }

    /** One script call: EVALSHA, or EVAL when Redis does not know the script (yet). */
    private CompletableFuture<List<Object>> run(String[] keys, String op, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = op;
        System.arraycopy(args, 0, argv, 1, args.length);
        RedisScriptingAsyncCommands<String, String> commands = redis.get();
        if (commands == null) {
            return CompletableFuture.failedFuture(new RedisUnavailableException(
                    new IllegalStateException("not connected to Redis")));
        }
        CompletableFuture<List<Object>> call = commands.<List<Object>>evalsha(SHA, ScriptOutputType.MULTI, keys, argv)
                .toCompletableFuture()
                .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                        ? commands.<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, argv).toCompletableFuture()
                        : CompletableFuture.failedFuture(e));
        CompletableFuture<List<Object>> answered = new CompletableFuture<>();
        call.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((reply, e) -> {
            if (e == null) {
                answered.complete(reply);
            } else {
                answered.completeExceptionally(new RedisUnavailableException(unwrap(e)));
            }
        });
        return answered;
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * The five keys of an admission or settlement. Without a user budget the fifth is a name in the
     * key's own slot that the script never touches, so that with Redis Cluster every admission of
     * a key without one stays in one slot.
     */
    private String[] admissionKeys(UUID keyId, UUID userId, YearMonth month, boolean userBudget) {
        String k = keyPart(keyId);
        String m = month == null ? "none" : month.toString();
        return keys(k + ":req", k + ":tpm", k + ":tpd", k + ":spend:" + m,
                userBudget ? prefix + "{u:" + userId + "}:spend:" + m : k + ":no-user-budget");
    }

    private String requestKey(UUID keyId) {
        return keyPart(keyId) + ":req";
    }

    private String spendKey(UUID account, boolean user, YearMonth month) {
        return user ? prefix + "{u:" + account + "}:spend:" + month : keyPart(account) + ":spend:" + month;
    }

    /** The key's part of every key: its id as a hash tag, so that one key's state shares a Cluster slot. */
    private String keyPart(UUID keyId) {
        return prefix + "{k:" + keyId + "}";
    }

    private static String[] keys(String... keys) {
        return keys;
    }

    private String now() {
        return Long.toString(Math.floorDiv(timeMeter.currentTimeNanos(), MICROS));
    }

    private YearMonth month() {
        return YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
    }

    private static String tokenLimit(TokenLimits limits, TokenWindow w) {
        return limits.limits(w) ? Long.toString(limits.of(w)) : "0";
    }

    private static long num(List<Object> reply, int i) {
        Object o = reply.get(i);
        return o instanceof Long l ? l : Long.parseLong(o.toString());
    }

    /** A cost in micro-dollars, rounded up (never under-counts spend). */
    static long costMicros(BigDecimal usd) {
        return usd.movePointRight(6).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** A budget in micro-dollars, rounded down (never allows more than it). */
    static long budgetMicros(BigDecimal usd) {
        return usd.movePointRight(6).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    private static BigDecimal usd(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }

    private static String load(String name) {
        try (InputStream in = RedisKeyRateLimiter.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
