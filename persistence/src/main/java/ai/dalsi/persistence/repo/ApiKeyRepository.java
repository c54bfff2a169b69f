package ai.dalsi.persistence.repo;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.USERS;
import static ai.dalsi.persistence.schema.Tables.USER_SUBSCRIPTIONS;

import ai.dalsi.persistence.jooq.RenderedQuery;
import ai.dalsi.persistence.schema.tables.records.ApiKeysRecord;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Records;
import org.jooq.Select;
import org.jooq.impl.DSL;

/** API keys: lookup by hash for authentication, and creation. */
public final class ApiKeyRepository {

    /** Subscription states in which a subscription can give its tier (its period decides when). */
    static final List<String> TIER_GIVING_STATUSES = List.of("active", "trialing");

    /**
     * The owner's subscriptions that can give a tier, nested into the key's row (one round trip).
     * Whether one applies depends on the time of each request, so periods are not filtered here.
     */
    private static final Field<List<StoredSubscription>> SUBSCRIPTIONS = DSL.multiset(
                    DSL.select(USER_SUBSCRIPTIONS.TIER, USER_SUBSCRIPTIONS.STATUS,
                                    USER_SUBSCRIPTIONS.CURRENT_PERIOD_START, USER_SUBSCRIPTIONS.CURRENT_PERIOD_END)
                            .from(USER_SUBSCRIPTIONS)
                            .where(USER_SUBSCRIPTIONS.USER_ID.eq(API_KEYS.USER_ID))
                            .and(USER_SUBSCRIPTIONS.STATUS.in(TIER_GIVING_STATUSES))
                            .orderBy(USER_SUBSCRIPTIONS.CURRENT_PERIOD_START, USER_SUBSCRIPTIONS.ID))
            .as("subscriptions")
            .convertFrom(r -> r.map(Records.mapping(StoredSubscription::new)));

    private static final Field<BigDecimal> USER_BUDGET = USERS.MONTHLY_BUDGET_USD.as("user_monthly_budget_usd");

    /**
     * What a lookup reads: the key's columns named one by one (so a rendered query reads them by
     * position), then its owner's.
     */
    private static final Field<?>[] COLUMNS = columns();

    /**
     * {@link #findByHash}'s query, built and rendered once: jOOQ takes longer to build and render it
     * than PostgreSQL takes to run it, and every key the cache does not hold (a new one, or an
     * unknown one a client keeps trying) is one lookup. Its one bind value is the hash.
     */
    private static final RenderedQuery BY_HASH = RenderedQuery.of(
            ctx -> select(ctx, API_KEYS.KEY_HASH.eq(RenderedQuery.slot(API_KEYS.KEY_HASH.getDataType()))));

    private final DSLContext dsl;

    public ApiKeyRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * The key with this hex SHA-256, joined with what admission needs from its owner (active flag,
     * monthly budget, subscriptions); empty when unknown.
     */
    public Optional<StoredKey> findByHash(String keyHash) {
        return dsl.resultQuery(BY_HASH.sql(), keyHash).coerce(COLUMNS).fetchOptional(ApiKeyRepository::toStoredKey);
    }

    /** The key with this id, joined like {@link #findByHash}; empty when unknown. */
    public Optional<StoredKey> findById(UUID id) {
        return select(dsl, API_KEYS.ID.eq(id)).fetchOptional(ApiKeyRepository::toStoredKey);
    }

    private static Select<Record> select(DSLContext dsl, Condition which) {
        return dsl.select(COLUMNS)
                .from(API_KEYS)
                .join(USERS).on(USERS.ID.eq(API_KEYS.USER_ID))
                .where(which);
    }

    private static Field<?>[] columns() {
        List<Field<?>> fields = new ArrayList<>(Arrays.asList(API_KEYS.fields()));
        fields.addAll(List.of(USERS.IS_ACTIVE, USER_BUDGET, SUBSCRIPTIONS));
        return fields.toArray(Field<?>[]::new);
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
                k.getUpdatedAt(),
                k.getRateLimitTokensPerMinute(),
                k.getRateLimitTokensPerDay(),
                k.getMonthlyBudgetUsd(),
                row.get(USER_BUDGET),
                row.get(SUBSCRIPTIONS),
                k.getLimitKeyId());
    }
}
