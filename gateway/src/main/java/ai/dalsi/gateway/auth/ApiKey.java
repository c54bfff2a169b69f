package ai.dalsi.gateway.auth;

import ai.dalsi.gateway.net.IpRanges;
import ai.dalsi.gateway.ratelimit.AdmissionRequest;
import ai.dalsi.gateway.ratelimit.MonthlyBudgets;
import ai.dalsi.gateway.ratelimit.RateLimits;
import ai.dalsi.gateway.ratelimit.TokenLimits;
import ai.dalsi.gateway.ratelimit.WorstCase;
import ai.dalsi.persistence.repo.StoredKey;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A known API key as the edge keeps it in its cache: what authorization, rate limiting and
 * metering need, parsed once per load (scopes as a set, tier as an enum, the IP allowlist as
 * ranges) so that no request parses them again. Never holds the plaintext key.
 *
 * @param tier          the key's own {@code subscription_tier}; a request's tier is {@link #tierAt}
 * @param allowedIps    the allowlist, or null when any address may use the key
 * @param environment   the key's environment, or null when the stored value is unknown (served nowhere)
 * @param limits        per-window request limits, {@link RateLimits#UNLIMITED} for internal keys
 * @param tokenLimits   per-window token limits, {@link TokenLimits#UNLIMITED} for internal keys
 * @param budgets       the key's and its owner's monthly budgets, {@link MonthlyBudgets#NONE} for internal keys
 * @param subscriptions the owner's active and trialing subscriptions, whatever their periods
 * @param limiterId     what limiters count the key under: the first key of its rotation chain
 *                      ({@code limit_key_id}), else its own id; a rotated key so keeps its buckets,
 *                      token windows and month spend
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
        RateLimits limits,
        TokenLimits tokenLimits,
        MonthlyBudgets budgets,
        List<Subscription> subscriptions,
        UUID limiterId) {

    private static final Logger LOG = LoggerFactory.getLogger(ApiKey.class);

    public ApiKey {
        subscriptions = List.copyOf(subscriptions);
        if (limiterId == null) {
            limiterId = id;
        }
    }

    /** A key whose limits are its own (not a rotation's successor). */
    public ApiKey(UUID id, UUID userId, String keyHash, String keyPrefix, boolean active, boolean ownerActive,
            Set<String> scopes, Tier tier, Instant expiresAt, IpRanges allowedIps, KeyEnvironment environment,
            boolean internal, Instant revokedAt, RateLimits limits, TokenLimits tokenLimits, MonthlyBudgets budgets,
            List<Subscription> subscriptions) {
        this(id, userId, keyHash, keyPrefix, active, ownerActive, scopes, tier, expiresAt, allowedIps, environment,
                internal, revokedAt, limits, tokenLimits, budgets, subscriptions, id);
    }

    /** A key with no token limits, no budgets and an owner without subscriptions. */
    public ApiKey(UUID id, UUID userId, String keyHash, String keyPrefix, boolean active, boolean ownerActive,
            Set<String> scopes, Tier tier, Instant expiresAt, IpRanges allowedIps, KeyEnvironment environment,
            boolean internal, Instant revokedAt, RateLimits limits) {
        this(id, userId, keyHash, keyPrefix, active, ownerActive, scopes, tier, expiresAt, allowedIps, environment,
                internal, revokedAt, limits, TokenLimits.UNLIMITED, MonthlyBudgets.NONE, List.of());
    }

    /** The cached form of a stored key. */
    public static ApiKey of(StoredKey k) {
        IpRanges allowed = null;
        if (!k.allowedIps().isEmpty()) {
            // An entry that is no address or range matches nothing: a broken allowlist denies, never allows.
            allowed = IpRanges.parseLenient(k.allowedIps(),
                    bad -> LOG.warn("API key {}: ignoring allowed_ips entry {} (not an address or CIDR range)",
                            k.keyPrefix(), bad));
        }
        // Internal keys are exempt from every limit and budget.
        RateLimits limits = k.internal() ? RateLimits.UNLIMITED
                : new RateLimits(k.rateLimitPerMinute(), k.rateLimitPerHour(), k.rateLimitPerDay());
        TokenLimits tokenLimits = k.internal() ? TokenLimits.UNLIMITED
                : TokenLimits.of(k.rateLimitTokensPerMinute(), k.rateLimitTokensPerDay());
        MonthlyBudgets budgets = k.internal() ? MonthlyBudgets.NONE
                : new MonthlyBudgets(k.monthlyBudgetUsd(), k.userMonthlyBudgetUsd());
        List<Subscription> subscriptions = k.subscriptions().stream().map(Subscription::of)
                .filter(s -> s.status().givesTier()).toList();
        return new ApiKey(k.id(), k.userId(), k.keyHash(), k.keyPrefix(), k.active(), k.userActive(),
                Set.copyOf(k.scopes()), Tier.ofDbValue(k.subscriptionTier()), k.expiresAt(), allowed,
                KeyEnvironment.ofDbValue(k.environment()), k.internal(), k.revokedAt(), limits, tokenLimits, budgets,
                subscriptions, k.limitKeyId());
    }

    /**
     * The tier a request made at {@code now} gets: the owner's current subscription's, else the
     * key's ({@link EffectiveTier}). Decided per request, so a period that ends stops counting then.
     */
    public Tier tierAt(Instant now) {
        return subscriptions.isEmpty() ? tier : EffectiveTier.of(tier, subscriptions, now);
    }

    /** What the limiter decides on for a request of this key with this worst case. */
    public AdmissionRequest admission(WorstCase worstCase) {
        return new AdmissionRequest(limiterId, userId, limits, tokenLimits, budgets, worstCase);
    }

    /** Never prints the hash; the display prefix identifies the key. */
    @Override
    public String toString() {
        return "ApiKey[" + keyPrefix + ", id=" + id + "]";
    }
}
