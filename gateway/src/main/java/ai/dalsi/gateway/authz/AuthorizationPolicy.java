package ai.dalsi.gateway.authz;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.authz.AuthzDecision.Denied;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.gateway.auth.Tier;
import ai.dalsi.gateway.catalog.Catalog;
import ai.dalsi.gateway.catalog.ModelInfo;
import ai.dalsi.gateway.catalog.ProductInfo;
import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.metering.CostCalculator;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * What an authenticated key may do. Two stages, so that every request (even to an unknown path)
 * is first checked against the key itself:
 * <ol>
 *   <li>{@link #checkKey}: not revoked, not expired, active, owner active, environment served here,
 *       client address in the allowlist;</li>
 *   <li>{@link #checkProduct}, {@link #checkModel}, {@link #checkMaxTokens}, {@link #checkCost}: the
 *       product's scopes and tier, the model, the requested size, and the most the request could
 *       cost.</li>
 * </ol>
 * Revocation and expiry are checked before the active flag so that a revoked key (also
 * deactivated) is told it was revoked.
 */
public final class AuthorizationPolicy {

    private static final Denied REVOKED = new Denied(ErrorCode.API_KEY_REVOKED,
            "This API key has been revoked.", null);
    private static final Denied EXPIRED = new Denied(ErrorCode.API_KEY_EXPIRED,
            "This API key has expired.", null);
    private static final Denied DISABLED = new Denied(ErrorCode.INVALID_API_KEY,
            "This API key is disabled.", null);
    private static final Denied OWNER_DISABLED = new Denied(ErrorCode.INVALID_API_KEY,
            "The account that owns this API key is disabled.", null);
    private static final Denied IP = new Denied(ErrorCode.IP_NOT_ALLOWED,
            "Requests from this IP address are not allowed for this API key.", null);

    private final Set<KeyEnvironment> served;
    private final Denied environmentMismatch;
    private final Clock clock;

    /** A policy on the system clock. */
    public AuthorizationPolicy(Set<KeyEnvironment> servedEnvironments) {
        this(servedEnvironments, Clock.systemUTC());
    }

    /**
     * @param clock decides which subscription is current: a request's tier is the key's
     *              {@link ApiKey#tierAt tier at the request's instant}, so a subscription period
     *              that ends stops granting its tier then, even if nothing announces it
     */
    public AuthorizationPolicy(Set<KeyEnvironment> servedEnvironments, Clock clock) {
        this.clock = clock;
        this.served = EnumSet.copyOf(servedEnvironments);
        this.environmentMismatch = new Denied(ErrorCode.ENVIRONMENT_MISMATCH,
                "This deployment serves only " + String.join(" and ",
                        served.stream().map(KeyEnvironment::dbValue).toList()) + " API keys.", null);
    }

    /** Checks that hold for every request of the key, whatever it asks for. */
    public AuthzDecision checkKey(ApiKey key, InetSocketAddress client, Instant now) {
        if (key.revokedAt() != null) {
            return REVOKED;
        }
        if (key.expiresAt() != null && !now.isBefore(key.expiresAt())) {
            return EXPIRED;
        }
        if (!key.active()) {
            return DISABLED;
        }
        if (!key.ownerActive()) {
            return OWNER_DISABLED;
        }
        if (key.environment() == null || !served.contains(key.environment())) {
            return environmentMismatch;
        }
        if (key.allowedIps() != null && (client == null || !key.allowedIps().contains(client))) {
            return IP;
        }
        return AuthzDecision.ALLOWED;
    }

    /** The key holds the product's scopes, and the request's tier (the owner's subscription's, else the key's) is at least the product's. */
    public AuthzDecision checkProduct(ApiKey key, ProductInfo product) {
        for (String scope : product.requiredScopes()) {
            if (!key.scopes().contains(scope)) {
                return new Denied(ErrorCode.INSUFFICIENT_SCOPE,
                        "This API key lacks the scope " + scope + " required by " + product.name() + ".", null);
            }
        }
        Tier tier = key.tierAt(clock.instant());
        if (!tier.atLeast(product.requiredTier())) {
            return new Denied(ErrorCode.SUBSCRIPTION_REQUIRED, product.name() + " requires the "
                    + product.requiredTier().dbValue() + " tier or higher; this API key is "
                    + tier.dbValue() + ".", null);
        }
        return AuthzDecision.ALLOWED;
    }

    /** The model exists, is active, and the request's tier may use it. */
    public AuthzDecision checkModel(ApiKey key, String modelName, ModelInfo model) {
        if (model == null || !model.active()) {
            return new Denied(ErrorCode.MODEL_NOT_FOUND,
                    "The model '" + modelName + "' does not exist or you do not have access to it.", "model");
        }
        if (!Catalog.usableBy(model, key.tierAt(clock.instant()))) {
            return new Denied(ErrorCode.SUBSCRIPTION_REQUIRED, "The model '" + modelName
                    + "' requires a paid subscription; this API key is " + Tier.FREE.dbValue() + ".", "model");
        }
        return AuthzDecision.ALLOWED;
    }

    /**
     * The request asks for no more tokens than the product allows per request: {@code max_tokens}
     * (or {@code max_completion_tokens}) times {@code n} choices.
     *
     * @param maxTokens requested, or -1 when the request names none
     * @param n         choices requested (1 when not named)
     */
    public AuthzDecision checkMaxTokens(ProductInfo product, long maxTokens, long n) {
        if (maxTokens < 0) {
            return AuthzDecision.ALLOWED;
        }
        long requested = maxTokens * Math.max(1, n);
        if (requested > product.maxTokensPerRequest() || requested < 0) {
            String what = n > 1 ? "max_tokens " + maxTokens + " x n " + n + " = " + requested : "max_tokens " + maxTokens;
            return new Denied(ErrorCode.INVALID_REQUEST, what + " exceeds the limit of "
                    + product.maxTokensPerRequest() + " tokens per request for " + product.name() + ".", "max_tokens");
        }
        return AuthzDecision.ALLOWED;
    }

    /**
     * The most this request could cost stays within what the ledger can record
     * ({@link CostCalculator#MAX_RECORDABLE}), so that no request is ever served that could not be
     * billed. The bound takes every byte of the body as a prompt token (a token is at least one
     * byte), {@code max_tokens} (or, when the request names none, the product's
     * {@code max_tokens_per_request}) times {@code n} as completion tokens, and {@code n} images.
     * With the catalog's price bounds only absurd {@code n} or prices written around the admin
     * API reach it; the refusal is counted under {@code cost_limit_exceeded}.
     *
     * @param requestBytes size of the request body
     * @param maxTokens    requested, or -1 when the request names none
     * @param n            choices requested (1 when not named)
     */
    public AuthzDecision checkCost(ProductInfo product, ModelInfo model, long requestBytes, long maxTokens, long n) {
        BigDecimal choices = BigDecimal.valueOf(Math.max(1, n));
        BigDecimal completion = BigDecimal.valueOf(maxTokens >= 0 ? maxTokens : product.maxTokensPerRequest())
                .multiply(choices);
        BigDecimal bound = CostCalculator.upperBound(model.pricing(product),
                BigDecimal.valueOf(Math.max(0, requestBytes)), completion, choices);
        if (CostCalculator.recordable(bound)) {
            return AuthzDecision.ALLOWED;
        }
        return new Denied(ErrorCode.COST_LIMIT_EXCEEDED, "This request could cost more than one request may be"
                + " billed (" + CostCalculator.MAX_RECORDABLE.toPlainString() + " USD) at the prices of "
                + product.name() + "; ask for fewer tokens (max_tokens) or choices (n), or send a smaller request.",
                maxTokens >= 0 ? "max_tokens" : null);
    }
}
