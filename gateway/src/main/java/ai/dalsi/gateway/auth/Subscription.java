package ai.dalsi.gateway.auth;

import ai.dalsi.persistence.repo.StoredSubscription;
import java.time.Instant;
import java.util.Objects;

/**
 * A user's subscription as admission sees it ({@code user_subscriptions}): its tier, its state and
 * its current period.
 *
 * @param periodStart start of the current period, inclusive
 * @param periodEnd   end of it, exclusive
 */
public record Subscription(Tier tier, Status status, Instant periodStart, Instant periodEnd) {

    /** {@code user_subscriptions.status}. */
    public enum Status {
        ACTIVE("active"),
        TRIALING("trialing"),
        PAST_DUE("past_due"),
        CANCELLED("cancelled"),
        EXPIRED("expired");

        private final String dbValue;

        Status(String dbValue) {
            this.dbValue = dbValue;
        }

        public String dbValue() {
            return dbValue;
        }

        /** Whether a subscription in this state gives its tier during its period. */
        public boolean givesTier() {
            return this == ACTIVE || this == TRIALING;
        }

        /** The status stored as {@code value}; unknown values give no tier (never more access). */
        public static Status ofDbValue(String value) {
            for (Status s : values()) {
                if (s.dbValue.equals(value)) {
                    return s;
                }
            }
            return EXPIRED;
        }
    }

    public Subscription {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(periodStart, "periodStart");
        Objects.requireNonNull(periodEnd, "periodEnd");
    }

    /** The admission form of a stored subscription (an unknown tier is the lowest, as for keys). */
    public static Subscription of(StoredSubscription s) {
        return new Subscription(Tier.ofDbValue(s.tier()), Status.ofDbValue(s.status()), s.currentPeriodStart(),
                s.currentPeriodEnd());
    }

    /** Whether it gives its tier at {@code now}: active or trialing, and {@code start <= now < end}. */
    public boolean current(Instant now) {
        return status.givesTier() && !now.isBefore(periodStart) && now.isBefore(periodEnd);
    }
}
