package ai.dalsi.gateway.ratelimit;

import ai.dalsi.persistence.repo.SpendRepository;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * What the ledger says a key or a user spent in a period: where a limiter starts counting a month
 * (at start, after a restart, on the first request of the month). Blocking: called on the loader
 * executor given to the limiter, never on an event loop.
 */
public interface MonthlySpendSource {

    /** The key's cost in {@code [from, to)}. */
    BigDecimal keySpend(UUID keyId, Instant from, Instant to);

    /** The user's cost in {@code [from, to)} over their keys that are not internal. */
    BigDecimal userSpend(UUID userId, Instant from, Instant to);

    /** Nothing was ever spent (a limiter with no ledger: tests, or no budgets in use). */
    MonthlySpendSource NONE = new MonthlySpendSource() {
        @Override
        public BigDecimal keySpend(UUID keyId, Instant from, Instant to) {
            return BigDecimal.ZERO;
        }

        @Override
        public BigDecimal userSpend(UUID userId, Instant from, Instant to) {
            return BigDecimal.ZERO;
        }
    };

    /** The ledger's hourly rollups in PostgreSQL ({@code api_usage_hourly}). */
    static MonthlySpendSource ledger(SpendRepository spend) {
        return new MonthlySpendSource() {
            @Override
            public BigDecimal keySpend(UUID keyId, Instant from, Instant to) {
                return spend.keySpend(keyId, from, to);
            }

            @Override
            public BigDecimal userSpend(UUID userId, Instant from, Instant to) {
                return spend.userSpend(userId, from, to);
            }
        };
    }
}
