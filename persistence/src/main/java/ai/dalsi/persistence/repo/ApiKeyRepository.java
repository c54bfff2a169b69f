package ai.dalsi.persistence.repo;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.USERS;

import ai.dalsi.persistence.schema.tables.records.ApiKeysRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record;

/** API keys: lookup by hash for authentication, and creation. */
public final class ApiKeyRepository {

    private final DSLContext dsl;

    public ApiKeyRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** The key with this hex SHA-256, joined with its owner's active flag; empty when unknown. */
    public Optional<StoredKey> findByHash(String keyHash) {
        return dsl.select(API_KEYS.asterisk(), USERS.IS_ACTIVE)
                .from(API_KEYS)
                .join(USERS).on(USERS.ID.eq(API_KEYS.USER_ID))
                .where(API_KEYS.KEY_HASH.eq(keyHash))
                .fetchOptional(ApiKeyRepository::toStoredKey);
    }

    /** The key with this id, joined like {@link #findByHash}; empty when unknown. */
    public Optional<StoredKey> findById(UUID id) {
        return dsl.select(API_KEYS.asterisk(), USERS.IS_ACTIVE)
                .from(API_KEYS)
                .join(USERS).on(USERS.ID.eq(API_KEYS.USER_ID))
                .where(API_KEYS.ID.eq(id))
                .fetchOptional(ApiKeyRepository::toStoredKey);
    }

    /** Stores a new key and returns its id. Null settings take the schema's defaults. */
    public UUID insert(NewKey key) {
        ApiKeysRecord r = dsl.newRecord(API_KEYS);
        r.setUserId(key.userId())
                .setKeyHash(key.keyHash())
                .setKeyPrefix(key.keyPrefix())
                .setName(key.name())
                .setScopes(Json.stringArray(key.scopes()));
        if (key.rateLimitPerMinute() != null) {
            r.setRateLimitPerMinute(key.rateLimitPerMinute());
        }
        if (key.rateLimitPerHour() != null) {
            r.setRateLimitPerHour(key.rateLimitPerHour());
        }
        if (key.rateLimitPerDay() != null) {
            r.setRateLimitPerDay(key.rateLimitPerDay());
        }
        if (key.subscriptionTier() != null) {
            r.setSubscriptionTier(key.subscriptionTier());
        }
        if (key.environment() != null) {
            r.setEnvironment(key.environment());
        }
        if (key.allowedIps() != null) {
            r.setAllowedIps(key.allowedIps().toArray(String[]::new));
        }
        if (key.expiresAt() != null) {
            r.setExpiresAt(key.expiresAt());
        }
        if (key.internal() != null) {
            r.setIsInternal(key.internal());
        }
        if (key.webhookUrl() != null) {
            r.setWebhookUrl(key.webhookUrl());
        }
        r.store();
        return r.getId();
    }

    static StoredKey toStoredKey(Record row) {
        ApiKeysRecord k = row.into(API_KEYS);
        String[] ips = k.getAllowedIps();
        return new StoredKey(
                k.getId(),
                k.getUserId(),
                k.getKeyHash(),
                k.getKeyPrefix(),
                k.getName(),
                k.getIsActive(),
                row.get(USERS.IS_ACTIVE),
                Json.stringList(k.getScopes()),
                k.getRateLimitPerMinute(),
                k.getRateLimitPerHour(),
                k.getRateLimitPerDay(),
                k.getSubscriptionTier(),
                k.getExpiresAt(),
                ips == null ? List.of() : Arrays.asList(ips),
                k.getEnvironment(),
                k.getIsInternal(),
                k.getRevokedAt(),
                k.getRevokeReason(),
                k.getUpdatedAt());
    }
}
