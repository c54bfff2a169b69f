package ai.dalsi.gateway.ratelimit;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The month's spend of every key (or every user) with a budget that this node served in the
 * current UTC month, each started from the ledger ({@link MonthlySpendSource}) once per month.
 *
 * <p>Entries are never evicted within their month: dropping one and seeding it again from the
 * ledger would lose what settled here but is not in the rollups yet (the ledger writes in batches,
 * and holds events back while PostgreSQL is down). The map holds only accounts that have a budget
 * and made a request this month, a few hundred bytes each; on the first access in a new month the
 * previous months' entries go.
 *
 * <p>Seeds load on the given executor (blocking SQL, never an event loop); requests for an account
 * whose month is loading wait for that one load.
 */
final class SpendBook {

    /** Reads the ledger's spend of one account in {@code [from, to)}. */
    @FunctionalInterface
    interface Seeds {
        BigDecimal spend(UUID account, Instant from, Instant to);
    }

    private record Load(UUID account, YearMonth month) {
    }

    private final Seeds seeds;
    private final Executor executor;
    private final Map<UUID, MonthlySpend> spends = new ConcurrentHashMap<>();
    private final Map<Load, CompletableFuture<MonthlySpend>> loads = new ConcurrentHashMap<>();
    private volatile YearMonth newestMonth;

    SpendBook(Seeds seeds, Executor executor) {
        this.seeds = seeds;
        this.executor = executor;
    }

    /** The account's spend in {@code month}, or null when it has not been loaded yet. */
    MonthlySpend current(UUID account, YearMonth month) {
        MonthlySpend s = spends.get(account);
        return s != null && s.month().equals(month) ? s : null;
    }

    /** Loads the account's spend in {@code month} from the ledger (once, however many ask). */
    CompletableFuture<MonthlySpend> load(UUID account, YearMonth month) {
        rollOver(month);
        MonthlySpend present = current(account, month);
        if (present != null) {
            return CompletableFuture.completedFuture(present);
        }
        Load key = new Load(account, month);
        CompletableFuture<MonthlySpend> f = loads.computeIfAbsent(key, k -> CompletableFuture
                .supplyAsync(() -> seeds.spend(account, start(month), start(month.plusMonths(1))), executor)
                .thenApply(seed -> install(account, month, seed)));
        // A failed load is forgotten, so the next request asks the ledger again.
        f.whenComplete((s, e) -> loads.remove(key, f));
        return f;
    }

    private MonthlySpend install(UUID account, YearMonth month, BigDecimal seed) {
        return spends.compute(account, (id, old) ->
                old != null && !old.month().isBefore(month) ? old : new MonthlySpend(month, seed));
    }

    /** On the first sight of a new month, forgets the earlier months (their requests settle into nothing). */
    private void rollOver(YearMonth month) {
        YearMonth newest = newestMonth;
        if (newest == null || month.isAfter(newest)) {
            newestMonth = month;
            spends.values().removeIf(s -> s.month().isBefore(month));
        }
    }

    static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** Accounts held (for tests and diagnostics). */
    int size() {
        return spends.size();
    }
}
