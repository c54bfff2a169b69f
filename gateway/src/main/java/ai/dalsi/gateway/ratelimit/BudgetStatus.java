package ai.dalsi.gateway.ratelimit;

import java.math.BigDecimal;
import java.time.YearMonth;

/**
 * Where a monthly budget stands, for people (the admin API): what was spent this month, what
 * requests in flight may still spend, and what is left.
 *
 * @param month     the UTC month
 * @param budget    the budget, USD
 * @param spent     spent this month: the ledger's rollups when this node started counting the month,
 *                  plus what requests settled since
 * @param reserved  the worst case of requests admitted and not settled yet
 * @param remaining {@code budget - spent - reserved}, never below zero
 */
public record BudgetStatus(YearMonth month, BigDecimal budget, BigDecimal spent, BigDecimal reserved,
        BigDecimal remaining) {
}
