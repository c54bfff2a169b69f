package ai.dalsi.gateway.auth;

import ai.dalsi.gateway.net.IpRanges;
import ai.dalsi.gateway.ratelimit.RateLimits;
import ai.dalsi.persistence.repo.StoredKey;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A known API key as the edge keeps it in its cache: what authorization, rate limiting and
 * metering need, parsed once per load (scopes as a set, tier as an enum, the IP allowlist as
 * ranges) so that no request parses them again. Never holds the plaintext key.
 *
 * @param allowedIps  the allowlist, or null when any address may use the key
 * @param environment the key's environment, or null when the stored value is unknown (served nowhere)
 * @param limits      per-window limits, {@link RateLimits#UNLIMITED} for internal keys
 */
public record ApiKey(
        UUID id,
        UUID userId,
        String keyHash,
        String keyPrefix,
        boolean active,
        boolean ownerActive,
        Set<String> scopes,
        Tier tier,
        Instant expiresAt,
        IpRanges allowedIps,
        KeyEnvironment environment,
        boolean internal,
        Instant revokedAt,
        RateLimits limits) {

    private static final Logger LOG = LoggerFactory.getLogger(ApiKey.class);

    /** The cached form of a stored key. */
    public static ApiKey of(StoredKey k) {
        IpRanges allowed = null;
        if (!k.allowedIps().isEmpty()) {
            // An entry that is no address or range matches nothing: a broken allowlist denies, never allows.
            allowed = IpRanges.parseLenient(k.allowedIps(),
                    bad -> LOG.warn("API key {}: ignoring allowed_ips entry {} (not an address or CIDR range)",
                            k.keyPrefix(), bad));
        }
        RateLimits limits = k.internal() ? RateLimits.UNLIMITED
                : new RateLimits(k.rateLimitPerMinute(), k.rateLimitPerHour(), k.rateLimitPerDay());
        return new ApiKey(k.id(), k.userId(), k.keyHash(), k.keyPrefix(), k.active(), k.userActive(),
                Set.copyOf(k.scopes()), Tier.ofDbValue(k.subscriptionTier()), k.expiresAt(), allowed,
                KeyEnvironment.ofDbValue(k.environment()), k.internal(), k.revokedAt(), limits);
    }

    /** Never prints the hash; the display prefix identifies the key. */
    @Override
    public String toString() {
        return "ApiKey[" + keyPrefix + ", id=" + id + "]";
    }
}
