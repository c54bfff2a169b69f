package ai.dalsi.gateway.ratelimit;

import java.math.BigDecimal;

/**
 * The monthly budgets, in USD per UTC calendar month, that a key's requests count against: the
 * key's own ({@code api_keys.monthly_budget_usd}) and its owner's over all their keys
 * ({@code users.monthly_budget_usd}). Null where there is none.
 */
public record MonthlyBudgets(BigDecimal key, BigDecimal user) {

    /** No budget at all. */
    public static final MonthlyBudgets NONE = new MonthlyBudgets(null, null);

    public MonthlyBudgets {
        if ((key != null && key.signum() < 0) || (user != null && user.signum() < 0)) {
            throw new IllegalArgumentException("budgets must not be negative: " + key + "/" + user);
        }
    }

    /** Whether neither the key nor the user has a budget. */
    public boolean none() {
        return key == null && user == null;
    }
}
