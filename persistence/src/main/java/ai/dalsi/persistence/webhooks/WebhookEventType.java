package ai.dalsi.persistence.webhooks;

/**
 * The events a key's webhook receives, by the name the payload's {@code type} carries. The V8
 * migration's CHECK lists the same names (and {@code usage.daily}, reserved for a daily summary
 * that is not produced).
 */
public enum WebhookEventType {
    /** An admin revoked the key. */
    KEY_REVOKED("key.revoked"),
    /** The expiry sweep revoked the key because its {@code expires_at} passed. */
    KEY_EXPIRED("key.expired"),
    /** The key was rotated: revoked and replaced by a new key with the same settings. */
    KEY_ROTATED("key.rotated"),
    /** Requests with the key were refused by a rate limit; at most one event per key and window. */
    KEY_RATE_LIMITED("key.rate_limited"),
    /**
     * A monthly budget (a key's, or its user's) reached 80% or 100%, once each per month: produced
     * by the ledger writer's batch transaction ({@link WebhookEvent#budgetThreshold},
     * {@link WebhookEvent#userBudgetThreshold}).
     */
    BUDGET_THRESHOLD("budget.threshold");

    private final String wireName;

    WebhookEventType(String wireName) {
        this.wireName = wireName;
    }

    /** The payload's {@code type} and the {@code event_type} column: {@code key.revoked}, ... */
    public String wireName() {
        return wireName;
    }
}
