package ai.dalsi.persistence.repo;

import java.time.Instant;
import java.util.Objects;

/**
 * A row of {@code user_subscriptions} as admission needs it: which tier, in which state, for which
 * period.
 *
 * @param tier               {@code free}, {@code pro} or {@code enterprise}
 * @param status             {@code active}, {@code trialing}, {@code past_due}, {@code cancelled} or {@code expired}
 * @param currentPeriodStart start of the paid (or trial) period, inclusive
 * @param currentPeriodEnd   end of it, exclusive
 */
public record StoredSubscription(String tier, String status, Instant currentPeriodStart, Instant currentPeriodEnd) {

    public StoredSubscription {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(currentPeriodStart, "currentPeriodStart");
        Objects.requireNonNull(currentPeriodEnd, "currentPeriodEnd");
    }
}
