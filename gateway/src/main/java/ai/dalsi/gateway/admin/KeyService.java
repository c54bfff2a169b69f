package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_PRODUCTS;
import static ai.dalsi.persistence.schema.Tables.API_KEY_REVOCATIONS;
import static ai.dalsi.persistence.schema.Tables.USERS;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.persistence.schema.tables.records.ApiKeysRecord;
import ai.dalsi.persistence.webhooks.WebhookEvent;
import ai.dalsi.persistence.webhooks.WebhookOutbox;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.UpdateSetMoreStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key lifecycle: issue, read, change, revoke, rotate. The plaintext key exists only in the
 * return value of {@link #create} and {@link #rotate}; only its SHA-256 is stored, and it is never
 * logged (logs show {@code key_prefix}). Every change goes through {@code api_keys}, whose V4
 * trigger tells every gateway node to drop the key from its cache. Revoking and rotating put the
 * key's {@code key.revoked} / {@code key.rotated} webhook event into the outbox in the same
 * transaction (a rotation sends {@code key.rotated} only, not also {@code key.revoked}).
 */
final class KeyService {

    private static final Logger LOG = LoggerFactory.getLogger(KeyService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a new key is issued with; nulls take the schema's defaults. */
    record NewKeySettings(UUID userId, String name, List<String> scopes, String environment, String tier,
            Integer perMinute, Integer perHour, Integer perDay, List<String> allowedIps, Instant expiresAt,
            Boolean internal, String webhookUrl, Long tokensPerMinute, Long tokensPerDay, BigDecimal monthlyBudgetUsd) {
    }

    /**
     * A change to a key: null leaves a setting as it is; the {@code clear*} flags set the
     * nullable ones back to null.
     */
    record KeyPatch(String name, List<String> scopes, String tier, Integer perMinute, Integer perHour,
            Integer perDay, List<String> allowedIps, boolean clearAllowedIps, Instant expiresAt,
            boolean clearExpiresAt, Boolean internal, String webhookUrl, boolean clearWebhookUrl,
            Long tokensPerMinute, boolean clearTokensPerMinute, Long tokensPerDay, boolean clearTokensPerDay,
            BigDecimal monthlyBudgetUsd, boolean clearMonthlyBudgetUsd) {
    }

    /**
     * A key as the API shows it: settings, state and usage totals; never the hash.
     * {@code remainingBudgetUsd} is what is left of {@code monthlyBudgetUsd} this UTC month (shown when
     * one key is read; null without a budget).
     */
    record KeyView(UUID id, UUID userId, String name, String keyPrefix, String environment, String status,
            boolean isActive, List<String> scopes, String subscriptionTier, int rateLimitPerMinute,
            int rateLimitPerHour, int rateLimitPerDay, Long rateLimitTokensPerMinute, Long rateLimitTokensPerDay,
            BigDecimal monthlyBudgetUsd, BigDecimal remainingBudgetUsd, List<String> allowedIps, Instant expiresAt,
            boolean isInternal, String webhookUrl, Instant revokedAt, UUID revokedBy, String revokeReason,
            long totalRequests, long totalTokensUsed, BigDecimal totalCostUsd, Instant lastUsedAt,
            String lastUsedIp, String lastUsedEndpoint, Instant createdAt, Instant updatedAt) {

        KeyView withRemainingBudget(BigDecimal remaining) {
            return new KeyView(id, userId, name, keyPrefix, environment, status, isActive, scopes, subscriptionTier,
                    rateLimitPerMinute, rateLimitPerHour, rateLimitPerDay, rateLimitTokensPerMinute,
                    rateLimitTokensPerDay, monthlyBudgetUsd, remaining, allowedIps, expiresAt, isInternal, webhookUrl,
                    revokedAt, revokedBy, revokeReason, totalRequests, totalTokensUsed, totalCostUsd, lastUsedAt,
                    lastUsedIp, lastUsedEndpoint, createdAt, updatedAt);
        }
    }

    /** A key just issued: its view and the plaintext, shown to the caller once. */
    record IssuedKey(String key, KeyView view) {
    }

    private final DSLContext dsl;
    private final Clock clock;
    private final SecureRandom random;
    private final RemainingBudgets budgets;

    KeyService(DSLContext dsl, Clock clock, SecureRandom random, RemainingBudgets budgets) {
        this.dsl = dsl;
        this.clock = clock;
        this.random = random;
        this.budgets = budgets;
    }

    /**
     * The scopes a key may hold: those the catalog's products require (any product, active or not,
     * so that a key can be prepared before a product goes live), sorted.
     */
    List<String> knownScopes() {
        return dsl.selectDistinct(DSL.field("unnest({0})", String.class, API_PRODUCTS.REQUIRED_SCOPES).as("scope"))
                .from(API_PRODUCTS)
                .fetch(0, String.class)
                .stream().sorted().toList();
    }

    IssuedKey create(NewKeySettings s) {
        Instant now = clock.instant();
        requireFuture(s.expiresAt(), now);
        return dsl.transactionResult(c -> {
            DSLContext tx = c.dsl();
            Record user = tx.select(USERS.IS_ACTIVE).from(USERS).where(USERS.ID.eq(s.userId())).fetchOne();
            if (user == null) {
                throw AdminProblem.notFound("user_id", "user_id: no user with id " + s.userId());
            }
            if (!user.get(USERS.IS_ACTIVE)) {
                throw AdminProblem.conflict("user_id", "user_id: user " + s.userId() + " is inactive");
            }
            KeyEnvironment env = KeyEnvironment.ofDbValue(s.environment() == null ? "production" : s.environment());
            String key = ApiKeyFormat.generate(env, random);
            ApiKeysRecord r = tx.newRecord(API_KEYS);
            r.setUserId(s.userId())
                    .setKeyHash(ApiKeyFormat.sha256Hex(key))
                    .setKeyPrefix(ApiKeyFormat.displayPrefix(key))
                    .setName(s.name())
                    .setScopes(jsonArray(s.scopes()))
                    .setEnvironment(env.dbValue())
                    .setCreatedAt(now)
                    .setUpdatedAt(now);
            if (s.tier() != null) {
                r.setSubscriptionTier(s.tier());
            }
            if (s.perMinute() != null) {
                r.setRateLimitPerMinute(s.perMinute());
            }
            if (s.perHour() != null) {
                r.setRateLimitPerHour(s.perHour());
            }
            if (s.perDay() != null) {
                r.setRateLimitPerDay(s.perDay());
            }
            if (s.allowedIps() != null) {
                r.setAllowedIps(s.allowedIps().toArray(String[]::new));
            }
            r.setRateLimitTokensPerMinute(s.tokensPerMinute());
            r.setRateLimitTokensPerDay(s.tokensPerDay());
            r.setMonthlyBudgetUsd(s.monthlyBudgetUsd());
            r.setExpiresAt(s.expiresAt());
            if (s.internal() != null) {
                r.setIsInternal(s.internal());
            }
            r.setWebhookUrl(s.webhookUrl());
            r.store();
            r.refresh();
            LOG.info("issued key {} ({}) for user {}", r.getKeyPrefix(), r.getId(), r.getUserId());
            return new IssuedKey(key, view(r, now));
        });
    }

    KeyView get(UUID id) {
        ApiKeysRecord r = dsl.selectFrom(API_KEYS).where(API_KEYS.ID.eq(id)).fetchOne();
        if (r == null) {
            throw AdminProblem.notFound("no key with id " + id);
        }
        KeyView v = view(r, clock.instant());
        // A rotated key continues its chain's spend: the limiter knows it under the chain's first key.
        UUID limiterId = r.getLimitKeyId() != null ? r.getLimitKeyId() : r.getId();
        BigDecimal remaining = budgets.key(limiterId, r.getMonthlyBudgetUsd());
        return remaining == null ? v : v.withRemainingBudget(remaining);
    }

    List<KeyView> listForUser(UUID userId) {
        if (!dsl.fetchExists(USERS, USERS.ID.eq(userId))) {
            throw AdminProblem.notFound("user_id", "user_id: no user with id " + userId);
        }
        Instant now = clock.instant();
        return dsl.selectFrom(API_KEYS).where(API_KEYS.USER_ID.eq(userId))
                .orderBy(API_KEYS.CREATED_AT, API_KEYS.ID)
                .fetch(r -> view(r, now));
    }

    KeyView patch(UUID id, KeyPatch p) {
        Instant now = clock.instant();
        if (!p.clearExpiresAt()) {
            requireFuture(p.expiresAt(), now);
        }
        return dsl.transactionResult(c -> {
            DSLContext tx = c.dsl();
            ApiKeysRecord current = tx.selectFrom(API_KEYS).where(API_KEYS.ID.eq(id)).forUpdate().fetchOne();
            if (current == null) {
                throw AdminProblem.notFound("no key with id " + id);
            }
            if (current.getRevokedAt() != null) {
                throw AdminProblem.conflict(null, "key " + id + " is revoked (" + current.getRevokeReason()
                        + "); revoked keys cannot be changed");
            }
            UpdateSetMoreStep<ApiKeysRecord> update = tx.update(API_KEYS).set(API_KEYS.UPDATED_AT, now);
            if (p.name() != null) {
                update = update.set(API_KEYS.NAME, p.name());
            }
            if (p.scopes() != null) {
                update = update.set(API_KEYS.SCOPES, jsonArray(p.scopes()));
            }
            if (p.tier() != null) {
                update = update.set(API_KEYS.SUBSCRIPTION_TIER, p.tier());
            }
            if (p.perMinute() != null) {
                update = update.set(API_KEYS.RATE_LIMIT_PER_MINUTE, p.perMinute());
            }
            if (p.perHour() != null) {
                update = update.set(API_KEYS.RATE_LIMIT_PER_HOUR, p.perHour());
            }
            if (p.perDay() != null) {
                update = update.set(API_KEYS.RATE_LIMIT_PER_DAY, p.perDay());
            }
            if (p.clearTokensPerMinute()) {
                update = update.setNull(API_KEYS.RATE_LIMIT_TOKENS_PER_MINUTE);
            } else if (p.tokensPerMinute() != null) {
                update = update.set(API_KEYS.RATE_LIMIT_TOKENS_PER_MINUTE, p.tokensPerMinute());
            }
            if (p.clearTokensPerDay()) {
                update = update.setNull(API_KEYS.RATE_LIMIT_TOKENS_PER_DAY);
            } else if (p.tokensPerDay() != null) {
                update = update.set(API_KEYS.RATE_LIMIT_TOKENS_PER_DAY, p.tokensPerDay());
            }
            if (p.clearMonthlyBudgetUsd()) {
                update = update.setNull(API_KEYS.MONTHLY_BUDGET_USD);
            } else if (p.monthlyBudgetUsd() != null) {
                update = update.set(API_KEYS.MONTHLY_BUDGET_USD, p.monthlyBudgetUsd());
            }
            if (p.clearAllowedIps()) {
                update = update.setNull(API_KEYS.ALLOWED_IPS);
            } else if (p.allowedIps() != null) {
                update = update.set(API_KEYS.ALLOWED_IPS, p.allowedIps().toArray(String[]::new));
            }
            if (p.clearExpiresAt()) {
                update = update.setNull(API_KEYS.EXPIRES_AT);
            } else if (p.expiresAt() != null) {
                update = update.set(API_KEYS.EXPIRES_AT, p.expiresAt());
            }
            if (p.internal() != null) {
                update = update.set(API_KEYS.IS_INTERNAL, p.internal());
            }
            if (p.clearWebhookUrl()) {
                update = update.setNull(API_KEYS.WEBHOOK_URL);
            } else if (p.webhookUrl() != null) {
                update = update.set(API_KEYS.WEBHOOK_URL, p.webhookUrl());
            }
            ApiKeysRecord updated = update.where(API_KEYS.ID.eq(id)).returning().fetchOne();
            return view(updated, now);
        });
    }

    /**
     * Revokes the key: revoked_at/by/reason, inactive, and an {@code api_key_revocations} row, in
     * one transaction. A key that is already revoked is a 409 and gets no second row.
     */
    KeyView revoke(UUID id, String reason, UUID adminId, String clientIp, String userAgent) {
        Instant now = clock.instant();
        return dsl.transactionResult(c -> {
            ApiKeysRecord revoked = revokeInTx(c.dsl(), id, reason, adminId, clientIp, userAgent, now);
            WebhookOutbox.enqueue(c.dsl(), List.of(WebhookEvent.keyRevoked(id, reason, now)));
            LOG.info("revoked key {} ({}): {}", revoked.getKeyPrefix(), id, reason);
            return view(revoked, now);
        });
    }

    /**
     * Issues a new key with the old one's settings and revokes the old one with reason
     * {@code rotated}, in one transaction: either both happen or neither does.
     */
    IssuedKey rotate(UUID id, UUID adminId, String clientIp, String userAgent) {
        Instant now = clock.instant();
        return dsl.transactionResult(c -> {
            DSLContext tx = c.dsl();
            ApiKeysRecord old = tx.selectFrom(API_KEYS).where(API_KEYS.ID.eq(id)).forUpdate().fetchOne();
            if (old == null) {
                throw AdminProblem.notFound("no key with id " + id);
            }
            if (old.getRevokedAt() != null) {
                throw AdminProblem.conflict(null, "key " + id + " is already revoked (" + old.getRevokeReason()
                        + "); issue a new key instead");
            }
            if (old.getExpiresAt() != null && !old.getExpiresAt().isAfter(now)) {
                throw AdminProblem.conflict(null, "key " + id + " expired at " + old.getExpiresAt()
                        + "; issue a new key instead");
            }
            KeyEnvironment env = KeyEnvironment.ofDbValue(old.getEnvironment());
            String key = ApiKeyFormat.generate(env, random);
            ApiKeysRecord fresh = tx.newRecord(API_KEYS);
            fresh.from(old, API_KEYS.USER_ID, API_KEYS.NAME, API_KEYS.SCOPES, API_KEYS.RATE_LIMIT_PER_MINUTE,
                    API_KEYS.RATE_LIMIT_PER_HOUR, API_KEYS.RATE_LIMIT_PER_DAY, API_KEYS.SUBSCRIPTION_TIER,
                    API_KEYS.EXPIRES_AT, API_KEYS.ALLOWED_IPS, API_KEYS.ENVIRONMENT, API_KEYS.WEBHOOK_URL,
                    API_KEYS.IS_INTERNAL, API_KEYS.RATE_LIMIT_TOKENS_PER_MINUTE, API_KEYS.RATE_LIMIT_TOKENS_PER_DAY,
                    API_KEYS.MONTHLY_BUDGET_USD);
            fresh.setKeyHash(ApiKeyFormat.sha256Hex(key))
                    .setKeyPrefix(ApiKeyFormat.displayPrefix(key))
                    .setIsActive(true)
                    .setCreatedAt(now)
                    .setUpdatedAt(now)
                    // The new key continues the old one's limits and spend (the chain's first key counts them).
                    .setLimitKeyId(old.getLimitKeyId() != null ? old.getLimitKeyId() : old.getId());
            fresh.store();
            fresh.refresh();
            revokeInTx(tx, id, "rotated", adminId, clientIp, userAgent, now);
            WebhookOutbox.enqueue(tx, List.of(WebhookEvent.keyRotated(id, fresh.getId(), fresh.getKeyPrefix(), now)));
            LOG.info("rotated key {} ({}) to {} ({})", old.getKeyPrefix(), id, fresh.getKeyPrefix(), fresh.getId());
            return new IssuedKey(key, view(fresh, now));
        });
    }

    private static ApiKeysRecord revokeInTx(DSLContext tx, UUID id, String reason, UUID adminId, String clientIp,
            String userAgent, Instant now) {
        ApiKeysRecord revoked = tx.update(API_KEYS)
                .set(API_KEYS.IS_ACTIVE, false)
                .set(API_KEYS.REVOKED_AT, now)
                .set(API_KEYS.REVOKED_BY, adminId)
                .set(API_KEYS.REVOKE_REASON, reason)
                .set(API_KEYS.UPDATED_AT, now)
                .where(API_KEYS.ID.eq(id))
                .and(API_KEYS.REVOKED_AT.isNull())
                .returning()
                .fetchOne();
        if (revoked == null) {
            ApiKeysRecord existing = tx.selectFrom(API_KEYS).where(API_KEYS.ID.eq(id)).fetchOne();
            if (existing == null) {
                throw AdminProblem.notFound("no key with id " + id);
            }
            throw AdminProblem.conflict(null, "key " + id + " is already revoked (at " + existing.getRevokedAt()
                    + ", reason: " + existing.getRevokeReason() + ")");
        }
        tx.insertInto(API_KEY_REVOCATIONS)
                .set(API_KEY_REVOCATIONS.API_KEY_ID, id)
                .set(API_KEY_REVOCATIONS.USER_ID, revoked.getUserId())
                .set(API_KEY_REVOCATIONS.REVOKED_BY, adminId)
                .set(API_KEY_REVOCATIONS.REVOKE_REASON, reason)
                .set(API_KEY_REVOCATIONS.REVOKE_TYPE, "manual")
                .set(API_KEY_REVOCATIONS.IP_ADDRESS, clientIp)
                .set(API_KEY_REVOCATIONS.USER_AGENT, userAgent)
                .set(API_KEY_REVOCATIONS.REVOKED_AT, now)
                .execute();
        return revoked;
    }

    private static void requireFuture(Instant expiresAt, Instant now) {
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw AdminProblem.badInput("expires_at", "expires_at: " + expiresAt + " (expected: a time after now, "
                    + now + ")");
        }
    }

    static KeyView view(ApiKeysRecord r, Instant now) {
        String status;
        if (r.getRevokedAt() != null) {
            status = "revoked";
        } else if (r.getExpiresAt() != null && !r.getExpiresAt().isAfter(now)) {
            status = "expired";
        } else if (!r.getIsActive()) {
            status = "inactive";
        } else {
            status = "active";
        }
        return new KeyView(r.getId(), r.getUserId(), r.getName(), r.getKeyPrefix(), r.getEnvironment(), status,
                r.getIsActive(), scopes(r.getScopes()), r.getSubscriptionTier(), r.getRateLimitPerMinute(),
                r.getRateLimitPerHour(), r.getRateLimitPerDay(),
                r.getRateLimitTokensPerMinute(), r.getRateLimitTokensPerDay(), r.getMonthlyBudgetUsd(), null,
                r.getAllowedIps() == null ? null : Arrays.asList(r.getAllowedIps()), r.getExpiresAt(),
                r.getIsInternal(), r.getWebhookUrl(), r.getRevokedAt(), r.getRevokedBy(), r.getRevokeReason(),
                r.getTotalRequests(), r.getTotalTokensUsed(), r.getTotalCostUsd(), r.getLastUsedAt(),
                r.getLastUsedIp(), r.getLastUsedEndpoint(), r.getCreatedAt(), r.getUpdatedAt());
    }

    private static JSONB jsonArray(List<String> values) {
        try {
            return JSONB.jsonb(JSON.writeValueAsString(values));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> scopes(JSONB json) {
        List<String> out = new ArrayList<>();
        if (json == null) {
            return out;
        }
        try {
            JSON.readTree(json.data()).forEach(n -> {
                if (n.isTextual()) {
                    out.add(n.textValue());
                }
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("invalid jsonb from the database", e);
        }
        return out;
    }
}
