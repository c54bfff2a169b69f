package ai.dalsi.gateway.auth;

/**
 * Subscription tiers, in order: {@code free < pro < enterprise}. A key's tier must be at least a
 * product's {@code required_subscription_tier}; models that {@code requires_subscription} refuse
 * the free tier.
 */
public enum Tier {
    FREE("free"),
    PRO("pro"),
    ENTERPRISE("enterprise");

    private final String dbValue;

    Tier(String dbValue) {
        this.dbValue = dbValue;
    }

    /** The value stored in {@code subscription_tier} columns. */
    public String dbValue() {
        return dbValue;
    }

    /** Whether this tier is {@code required} or higher. */
    public boolean atLeast(Tier required) {
        return compareTo(required) >= 0;
    }

    /** The tier stored as {@code value}; unknown or null values are the lowest tier (never more access). */
    public static Tier ofDbValue(String value) {
        if (value != null) {
            for (Tier t : values()) {
                if (t.dbValue.equals(value)) {
                    return t;
                }
            }
        }
        return FREE;
    }
}
