package ai.dalsi.gateway.ratelimit;

import java.math.BigDecimal;
import java.time.YearMonth;

/**
 * One key's or user's spend in one UTC month, as this node counts it: the ledger's figure when the
 * node started counting the month ({@code seed}), plus what requests settled since, plus the worst
 * case of requests in flight. Thread-safe (its monitor, held for a few BigDecimal additions).
 */
final class MonthlySpend {

    private final YearMonth month;
    private final BigDecimal seed;
    private BigDecimal settled = BigDecimal.ZERO;
    private BigDecimal reserved = BigDecimal.ZERO;

    MonthlySpend(YearMonth month, BigDecimal seed) {
        this.month = month;
        this.seed = seed;
    }

    YearMonth month() {
        return month;
    }

    /**
     * Reserves {@code cost} unless spent, reserved and {@code cost} together would cross
     * {@code budget} (reaching it exactly is allowed). Returns null when reserved, else what is
     * committed already (spent plus reserved).
     */
    synchronized BigDecimal tryReserve(BigDecimal cost, BigDecimal budget) {
        BigDecimal committed = seed.add(settled).add(reserved);
        if (committed.add(cost).compareTo(budget) > 0) {
            return committed;
        }
        reserved = reserved.add(cost);
        return null;
    }

    /** Gives back a reservation that was not used (a later step refused the request). */
    synchronized void release(BigDecimal cost) {
        reserved = reserved.subtract(cost);
    }

    /** Replaces a reservation of {@code reservedCost} with the real {@code cost}. */
    synchronized void settle(BigDecimal reservedCost, BigDecimal cost) {
        reserved = reserved.subtract(reservedCost);
        settled = settled.add(cost);
    }

    /** Where it stands against a budget. */
    synchronized BudgetStatus status(BigDecimal budget) {
        BigDecimal spent = seed.add(settled);
        BigDecimal left = budget.subtract(spent).subtract(reserved);
        return new BudgetStatus(month, budget, spent, reserved, left.signum() < 0 ? BigDecimal.ZERO : left);
    }
}
