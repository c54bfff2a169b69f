package ai.dalsi.persistence.repo;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An API key as stored, joined with what authorization needs from its owner. Never carries the
 * plaintext key; {@code keyHash} is the hex SHA-256 the key was looked up by.
 *
 * @param allowedIps addresses or CIDR ranges; empty means any address
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
        Instant updatedAt) {

    public StoredKey {
        scopes = List.copyOf(scopes);
        allowedIps = allowedIps == null ? List.of() : List.copyOf(allowedIps);
    }

    /** Whether the key was revoked (by an admin or the expiry sweep). */
    public boolean revoked() {
        return revokedAt != null;
    }
}
