package ai.dalsi.persistence.repo;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An API key as stored, joined with what authorization needs from its owner. Never carries the
 * plaintext key; {@code keyHash} is the hex SHA-256 the key was looked up by.
 *
 * @param allowedIps               addresses or CIDR ranges; empty means any address
 * @param rateLimitTokensPerMinute {@code rate_limit_tokens_per_minute}, or null for unlimited
 * @param rateLimitTokensPerDay    {@code rate_limit_tokens_per_day}, or null for unlimited
 * @param monthlyBudgetUsd         the key's {@code monthly_budget_usd}, or null for none
 * @param userMonthlyBudgetUsd     the owner's {@code users.monthly_budget_usd}, or null for none
 * @param subscriptions            the owner's active and trialing subscriptions, whatever their
 *                                 periods (which one applies depends on when a request comes)
 * @param limitKeyId               {@code limit_key_id}: the key whose limits and spend this one
 *                                 continues (the first of its rotation chain), or null for its own
 */
public record StoredKey(
        UUID id,
        UUID userId,
        String keyHash,
        String keyPrefix,
        String name,
        boolean active,
        boolean userActive,
        List<String> scopes,
        int rateLimitPerMinute,
        int rateLimitPerHour,
        int rateLimitPerDay,
        String subscriptionTier,
        Instant expiresAt,
        List<String> allowedIps,
        String environment,
        boolean internal,
        Instant revokedAt,
        String revokeReason,
        Instant updatedAt,
        Long rateLimitTokensPerMinute,
        Long rateLimitTokensPerDay,
        BigDecimal monthlyBudgetUsd,
        BigDecimal userMonthlyBudgetUsd,
        List<StoredSubscription> subscriptions,
        UUID limitKeyId) {

    public StoredKey {
        scopes = List.copyOf(scopes);
        allowedIps = allowedIps == null ? List.of() : List.copyOf(allowedIps);
        subscriptions = subscriptions == null ? List.of() : List.copyOf(subscriptions);
    }

    /** A key that is not a rotation's successor (its limits are its own). */
    public StoredKey(UUID id, UUID userId, String keyHash, String keyPrefix, String name, boolean active,
            boolean userActive, List<String> scopes, int rateLimitPerMinute, int rateLimitPerHour,
            int rateLimitPerDay, String subscriptionTier, Instant expiresAt, List<String> allowedIps,
            String environment, boolean internal, Instant revokedAt, String revokeReason, Instant updatedAt,
            Long rateLimitTokensPerMinute, Long rateLimitTokensPerDay, BigDecimal monthlyBudgetUsd,
            BigDecimal userMonthlyBudgetUsd, List<StoredSubscription> subscriptions) {
        this(id, userId, keyHash, keyPrefix, name, active, userActive, scopes, rateLimitPerMinute, rateLimitPerHour,
                rateLimitPerDay, subscriptionTier, expiresAt, allowedIps, environment, internal, revokedAt,
                revokeReason, updatedAt, rateLimitTokensPerMinute, rateLimitTokensPerDay, monthlyBudgetUsd,
                userMonthlyBudgetUsd, subscriptions, null);
    }

    /** A key without token limits, budgets or subscriptions (the settings a key had before V10). */
    public StoredKey(UUID id, UUID userId, String keyHash, String keyPrefix, String name, boolean active,
            boolean userActive, List<String> scopes, int rateLimitPerMinute, int rateLimitPerHour,
            int rateLimitPerDay, String subscriptionTier, Instant expiresAt, List<String> allowedIps,
            String environment, boolean internal, Instant revokedAt, String revokeReason, Instant updatedAt) {
        this(id, userId, keyHash, keyPrefix, name, active, userActive, scopes, rateLimitPerMinute, rateLimitPerHour,
                rateLimitPerDay, subscriptionTier, expiresAt, allowedIps, environment, internal, revokedAt,
                revokeReason, updatedAt, null, null, null, null, List.of(), null);
    }

    /** Whether the key was revoked (by an admin or the expiry sweep). */
    public boolean revoked() {
        return revokedAt != null;
    }
}
