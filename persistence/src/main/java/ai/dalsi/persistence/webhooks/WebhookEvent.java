package ai.dalsi.persistence.webhooks;

import ai.dalsi.persistence.UuidV7;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One event for the outbox, before it is stored: the payload's {@code id}, {@code type},
 * {@code created_at} and the event's own {@code data} fields. {@link WebhookOutbox#enqueue} adds
 * the key's {@code key_id}, {@code key_prefix}, {@code key_name} and {@code user_id} to the data
 * (never the key itself, which the database does not have) and skips keys without a
 * {@code webhook_url}.
 *
 * <p>The factories below are the catalogue of events and their fields; each sets the
 * {@code dedupeKey} that makes its cause produce at most one event.
 *
 * @param id        UUIDv7; the {@code webhook-id} header and the payload's {@code id}
 * @param apiKeyId  the key whose {@code webhook_url} receives it
 * @param type      what happened
 * @param createdAt when it happened (the payload's {@code created_at})
 * @param data      the event's fields: strings, numbers, booleans or null
 * @param dedupeKey the cause: a second event with the same value is not stored
 */
public record WebhookEvent(UUID id, UUID apiKeyId, WebhookEventType type, Instant createdAt, Map<String, Object> data,
        String dedupeKey) {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public WebhookEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(apiKeyId, "apiKeyId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(dedupeKey, "dedupeKey");
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    /** An admin revoked the key. */
    public static WebhookEvent keyRevoked(UUID keyId, String reason, Instant revokedAt) {
        return of(keyId, WebhookEventType.KEY_REVOKED, revokedAt, keyId.toString(),
                "reason", reason, "revoked_at", timestamp(revokedAt));
    }

    /** The expiry sweep revoked the key, whose {@code expires_at} had passed. */
    public static WebhookEvent keyExpired(UUID keyId, Instant expiresAt, Instant revokedAt) {
        return of(keyId, WebhookEventType.KEY_EXPIRED, revokedAt, keyId.toString(),
                "expires_at", timestamp(expiresAt), "revoked_at", timestamp(revokedAt));
    }

    /** The key was revoked and replaced by {@code newKeyId}, which has the same settings and webhook. */
    public static WebhookEvent keyRotated(UUID keyId, UUID newKeyId, String newKeyPrefix, Instant rotatedAt) {
        return of(keyId, WebhookEventType.KEY_ROTATED, rotatedAt, keyId.toString(),
                "new_key_id", newKeyId.toString(), "new_key_prefix", newKeyPrefix, "rotated_at", timestamp(rotatedAt));
    }

    /**
     * Requests with the key were refused by its {@code window} limit; one event per key and UTC
     * window, dated by the first refusal seen (the first refused request of the window that the
     * ledger stored, which is the first refused request unless it was lost to a crash).
     *
     * @param limitType {@code requests} or {@code tokens}
     * @param endpoint  the first refused request's path
     * @param model     its model, or null
     */
    public static WebhookEvent keyRateLimited(UUID keyId, LimitWindow window, String limitType,
            Instant firstRefusedAt, String endpoint, String model) {
        Instant start = window.start(firstRefusedAt);
        return of(keyId, WebhookEventType.KEY_RATE_LIMITED, firstRefusedAt,
                keyId + ":" + window.wireName() + ":" + start.getEpochSecond(),
                "limit_type", limitType, "window", window.wireName(), "window_start", timestamp(start),
                "window_end", timestamp(window.end(firstRefusedAt)), "first_refused_at", timestamp(firstRefusedAt),
                "endpoint", endpoint, "model", model);
    }

    /**
     * The key's own month spend reached {@code percent} (80 or 100) of its monthly budget; once per
     * key, UTC month and threshold. Produced by the ledger writer in the batch that reached it.
     */
    public static WebhookEvent budgetThreshold(UUID keyId, YearMonth month, int percent, BigDecimal budgetUsd,
            BigDecimal spentUsd, Instant crossedAt) {
        return of(keyId, WebhookEventType.BUDGET_THRESHOLD, crossedAt, keyId + ":" + month + ":" + percent,
                "scope", "key", "month", month.toString(), "threshold_percent", percent, "budget_usd", budgetUsd,
                "spent_usd", spentUsd, "crossed_at", timestamp(crossedAt));
    }

    /**
     * The month spend of the key's user (over their keys that are not internal) reached
     * {@code percent} (80 or 100) of the user's monthly budget; told to each key of the user with a
     * webhook, once per key, UTC month and threshold.
     */
    public static WebhookEvent userBudgetThreshold(UUID keyId, UUID userId, YearMonth month, int percent,
            BigDecimal budgetUsd, BigDecimal spentUsd, Instant crossedAt) {
        return of(keyId, WebhookEventType.BUDGET_THRESHOLD, crossedAt,
                "user:" + userId + ":" + keyId + ":" + month + ":" + percent,
                "scope", "user", "month", month.toString(), "threshold_percent", percent, "budget_usd", budgetUsd,
                "spent_usd", spentUsd, "crossed_at", timestamp(crossedAt));
    }

    /** How payloads write instants: ISO-8601 UTC with milliseconds, {@code 2030-01-31T12:00:00.000Z}. */
    public static String timestamp(Instant at) {
        return at == null ? null : TIMESTAMP.format(at);
    }

    private static WebhookEvent of(UUID keyId, WebhookEventType type, Instant at, String cause, Object... fields) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            data.put((String) fields[i], fields[i + 1]);
        }
        return new WebhookEvent(UuidV7.at(at), keyId, type, at, data, type.wireName() + ":" + cause);
    }
}
