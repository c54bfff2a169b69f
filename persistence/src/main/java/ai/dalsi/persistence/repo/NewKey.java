package ai.dalsi.persistence.repo;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What it takes to store a new API key. Nulls mean "the schema's default" for the limits, tier,
 * environment and internal flag.
 */
public record NewKey(
        UUID userId,
        String keyHash,
        String keyPrefix,
        String name,
        List<String> scopes,
        Integer rateLimitPerMinute,
        Integer rateLimitPerHour,
        Integer rateLimitPerDay,
        String subscriptionTier,
        String environment,
        List<String> allowedIps,
        Instant expiresAt,
        Boolean internal,
        String webhookUrl) {

    public NewKey {
        scopes = List.copyOf(scopes);
        allowedIps = allowedIps == null ? null : List.copyOf(allowedIps);
    }

    /** A key with the schema's defaults for everything but its owner, hash, prefix, name and scopes. */
    public static NewKey withDefaults(UUID userId, String keyHash, String keyPrefix, String name, List<String> scopes) {
        return new NewKey(userId, keyHash, keyPrefix, name, scopes, null, null, null, null, null, null, null, null, null);
    }
}
