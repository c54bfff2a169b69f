package ai.dalsi.persistence.webhooks;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.WEBHOOK_ATTEMPTS;
import static ai.dalsi.persistence.schema.Tables.WEBHOOK_EVENTS;

import ai.dalsi.persistence.schema.tables.records.WebhookEventsRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record3;
import org.jooq.impl.DSL;

/**
 * The delivery side of the outbox: gateway nodes claim due events with a lease, record each
 * attempt, and the admin API lists and redelivers them.
 *
 * <p>Several nodes claim at once without waiting on each other and without taking the same event:
 * {@code SELECT ... FOR UPDATE SKIP LOCKED} picks due, unleased rows, and the same statement leases
 * them ({@code lease_token}, {@code lease_until}) before the short transaction commits. Delivery
 * runs outside any transaction; its result is recorded only by the holder of the lease token. A node
 * that dies mid-delivery records nothing; its lease runs out and another node claims the event
 * again (at-least-once: the receiver may see the event twice if the first attempt reached it).
 */
public final class WebhookDeliveries {

    static final String PENDING = "pending";
    static final String DELIVERED = "delivered";
    static final String FAILED = "failed";

    /** What an attempt ended with ({@code webhook_attempts.outcome}). */
    public enum Outcome {
        /** The receiver answered 2xx. */
        DELIVERED,
        /** The receiver answered, with another status. */
        HTTP_ERROR,
        /** No answer: the name did not resolve, the connection or TLS failed or broke. */
        NETWORK_ERROR,
        /** Connected, but no answer within the read timeout (or no connection within the connect timeout). */
        TIMEOUT,
        /** Not sent: the target is not allowed (a private address after DNS resolution, no webhook_url). */
        REFUSED_TARGET;

        public String dbValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Outcome ofDbValue(String v) {
            return valueOf(v.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * An event one node has leased for one delivery attempt.
     *
     * @param dataJson      the stored {@code data} object, as JSON text
     * @param webhookUrl    the key's {@code webhook_url} now (null if it was cleared since)
     * @param attempt       this attempt's number since the event was created or redelivered (1, 2, ...)
     * @param attemptNumber this attempt's number over the event's life (numbers its attempt row)
     * @param leaseToken    proves the lease when the attempt is recorded
     */
    public record Claimed(UUID id, UUID apiKeyId, String type, Instant createdAt, String dataJson, String webhookUrl,
            int attempt, int attemptNumber, UUID leaseToken) {
    }

    /** One finished attempt, as {@code webhook_attempts} keeps it. */
    public record Attempt(int attempt, String node, Instant startedAt, int latencyMs, Outcome outcome,
            Integer statusCode, String error) {
    }

    /** An event with its delivery state. */
    public record Delivery(UUID id, UUID apiKeyId, String type, Instant createdAt, String status, int attempts,
            Instant nextAttemptAt, Instant lastAttemptAt, Integer lastStatusCode, String lastError,
            Instant deliveredAt, Instant failedAt, String dataJson) {
    }

    /** A page of a key's deliveries, newest first. */
    public record Page(List<Delivery> data, boolean hasMore) {
    }

    /**
     * The outbox at a glance, for metrics.
     *
     * @param pending                events not yet delivered and not given up on
     * @param oldestPendingCreatedAt {@code created_at} of the oldest of them, or null
     * @param earliestDueAt          the earliest {@code next_attempt_at} among them, or null
     */
    public record QueueStats(long pending, Instant oldestPendingCreatedAt, Instant earliestDueAt) {
    }

    /** What {@link #redeliver} did. */
    public sealed interface Redelivery permits Redelivered, NotFound, InProgress {
    }

    /** The event is pending again with a fresh attempt budget, due now. */
    public record Redelivered(Delivery delivery) implements Redelivery {
    }

    public record NotFound() implements Redelivery {
    }

    /** A node holds a lease on it: an attempt is running. */
    public record InProgress(Instant leaseUntil) implements Redelivery {
    }

    private final DSLContext dsl;

    public WebhookDeliveries(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * Leases up to {@code max} due events to {@code node} until {@code now + lease}, counting an
     * attempt for each. Events another node has locked or leased are skipped, never waited for.
     */
    public List<Claimed> claim(String node, int max, Instant now, Duration lease) {
        UUID token = UUID.randomUUID();
        var due = DSL.select(WEBHOOK_EVENTS.ID).from(WEBHOOK_EVENTS)
                .where(WEBHOOK_EVENTS.STATUS.eq(PENDING))
                .and(WEBHOOK_EVENTS.NEXT_ATTEMPT_AT.le(now))
                .and(WEBHOOK_EVENTS.LEASE_UNTIL.isNull().or(WEBHOOK_EVENTS.LEASE_UNTIL.le(now)))
                .orderBy(WEBHOOK_EVENTS.NEXT_ATTEMPT_AT, WEBHOOK_EVENTS.ID)
                .limit(max)
                .forUpdate().skipLocked();
        return dsl.update(WEBHOOK_EVENTS)
                .set(WEBHOOK_EVENTS.LEASE_OWNER, node)
                .set(WEBHOOK_EVENTS.LEASE_TOKEN, token)
                .set(WEBHOOK_EVENTS.LEASE_UNTIL, now.plus(lease))
                .set(WEBHOOK_EVENTS.ATTEMPTS, WEBHOOK_EVENTS.ATTEMPTS.plus(1))
                .set(WEBHOOK_EVENTS.ATTEMPTS_TOTAL, WEBHOOK_EVENTS.ATTEMPTS_TOTAL.plus(1))
                .set(WEBHOOK_EVENTS.LAST_ATTEMPT_AT, now)
                .from(API_KEYS)
                .where(WEBHOOK_EVENTS.ID.in(due))
                .and(API_KEYS.ID.eq(WEBHOOK_EVENTS.API_KEY_ID))
                .returningResult(WEBHOOK_EVENTS.ID, WEBHOOK_EVENTS.API_KEY_ID, WEBHOOK_EVENTS.EVENT_TYPE,
                        WEBHOOK_EVENTS.CREATED_AT, WEBHOOK_EVENTS.DATA, API_KEYS.WEBHOOK_URL, WEBHOOK_EVENTS.ATTEMPTS,
                        WEBHOOK_EVENTS.ATTEMPTS_TOTAL)
                .fetch(r -> new Claimed(r.value1(), r.value2(), r.value3(), r.value4(), r.value5().data(), r.value6(),
                        r.value7(), r.value8(), token));
    }

    /**
     * Records a finished attempt and the event's next state: delivered, pending again from
     * {@code retryAt}, or failed for good ({@code retryAt} null). The attempt row is written in
     * any case; the state only while {@code claimed}'s lease is still the event's.
     *
     * @return whether the lease was still held (false: the lease ran out and another node took over)
     */
    public boolean record(Claimed claimed, Attempt attempt, Instant retryAt) {
        boolean delivered = attempt.outcome() == Outcome.DELIVERED;
        Instant finished = attempt.startedAt().plusMillis(attempt.latencyMs());
        String status = delivered ? DELIVERED : retryAt == null ? FAILED : PENDING;
        return dsl.transactionResult(c -> {
            DSLContext tx = c.dsl();
            int updated = tx.update(WEBHOOK_EVENTS)
                    .set(WEBHOOK_EVENTS.STATUS, status)
                    .set(WEBHOOK_EVENTS.NEXT_ATTEMPT_AT,
                            retryAt == null ? WEBHOOK_EVENTS.NEXT_ATTEMPT_AT : DSL.val(retryAt))
                    .setNull(WEBHOOK_EVENTS.LEASE_OWNER)
                    .setNull(WEBHOOK_EVENTS.LEASE_TOKEN)
                    .setNull(WEBHOOK_EVENTS.LEASE_UNTIL)
                    .set(WEBHOOK_EVENTS.LAST_STATUS_CODE, attempt.statusCode())
                    .set(WEBHOOK_EVENTS.LAST_ERROR, attempt.error())
                    .set(WEBHOOK_EVENTS.DELIVERED_AT, delivered ? DSL.val(finished) : WEBHOOK_EVENTS.DELIVERED_AT)
                    .set(WEBHOOK_EVENTS.FAILED_AT, FAILED.equals(status) ? finished : null)
                    .where(WEBHOOK_EVENTS.ID.eq(claimed.id()))
                    .and(WEBHOOK_EVENTS.LEASE_TOKEN.eq(claimed.leaseToken()))
                    .execute();
            tx.insertInto(WEBHOOK_ATTEMPTS, WEBHOOK_ATTEMPTS.EVENT_ID, WEBHOOK_ATTEMPTS.ATTEMPT, WEBHOOK_ATTEMPTS.NODE,
                            WEBHOOK_ATTEMPTS.STARTED_AT, WEBHOOK_ATTEMPTS.LATENCY_MS, WEBHOOK_ATTEMPTS.OUTCOME,
                            WEBHOOK_ATTEMPTS.STATUS_CODE, WEBHOOK_ATTEMPTS.ERROR)
                    .select(DSL.select(DSL.val(claimed.id()), DSL.val(claimed.attemptNumber()), DSL.val(attempt.node()),
                                    DSL.val(attempt.startedAt(), WEBHOOK_ATTEMPTS.STARTED_AT.getDataType()),
                                    DSL.val(Math.max(0, attempt.latencyMs())), DSL.val(attempt.outcome().dbValue()),
                                    DSL.val(attempt.statusCode(), WEBHOOK_ATTEMPTS.STATUS_CODE.getDataType()),
                                    DSL.val(attempt.error(), WEBHOOK_ATTEMPTS.ERROR.getDataType()))
                            .whereExists(DSL.selectOne().from(WEBHOOK_EVENTS)
                                    .where(WEBHOOK_EVENTS.ID.eq(claimed.id()))))
                    .onConflictDoNothing()
                    .execute();
            return updated == 1;
        });
    }

    /** Gives back a lease whose attempt never started (the node is stopping): due again at once, no attempt counted. */
    public void release(Claimed claimed) {
        dsl.update(WEBHOOK_EVENTS)
                .setNull(WEBHOOK_EVENTS.LEASE_OWNER)
                .setNull(WEBHOOK_EVENTS.LEASE_TOKEN)
                .setNull(WEBHOOK_EVENTS.LEASE_UNTIL)
                .set(WEBHOOK_EVENTS.ATTEMPTS, WEBHOOK_EVENTS.ATTEMPTS.minus(1))
                .set(WEBHOOK_EVENTS.ATTEMPTS_TOTAL, WEBHOOK_EVENTS.ATTEMPTS_TOTAL.minus(1))
                .where(WEBHOOK_EVENTS.ID.eq(claimed.id()))
                .and(WEBHOOK_EVENTS.LEASE_TOKEN.eq(claimed.leaseToken()))
                .execute();
    }

    /**
     * A key's deliveries, newest first: up to {@code limit}, after the event {@code startingAfter}
     * (the last of the previous page) when given.
     */
    public Page listForKey(UUID keyId, int limit, UUID startingAfter) {
        Condition where = WEBHOOK_EVENTS.API_KEY_ID.eq(keyId);
        if (startingAfter != null) {
            where = where.and(DSL.row(WEBHOOK_EVENTS.CREATED_AT, WEBHOOK_EVENTS.ID).lt(
                    DSL.select(WEBHOOK_EVENTS.CREATED_AT, WEBHOOK_EVENTS.ID).from(WEBHOOK_EVENTS)
                            .where(WEBHOOK_EVENTS.ID.eq(startingAfter))));
        }
        List<Delivery> rows = dsl.selectFrom(WEBHOOK_EVENTS).where(where)
                .orderBy(WEBHOOK_EVENTS.CREATED_AT.desc(), WEBHOOK_EVENTS.ID.desc())
                .limit(limit + 1)
                .fetch(WebhookDeliveries::delivery);
        boolean more = rows.size() > limit;
        return new Page(more ? rows.subList(0, limit) : rows, more);
    }

    /** One event with its state. */
    public Optional<Delivery> get(UUID id) {
        return dsl.selectFrom(WEBHOOK_EVENTS).where(WEBHOOK_EVENTS.ID.eq(id))
                .fetchOptional(WebhookDeliveries::delivery);
    }

    /** An event's attempts, in order. */
    public List<Attempt> attempts(UUID eventId) {
        return dsl.selectFrom(WEBHOOK_ATTEMPTS).where(WEBHOOK_ATTEMPTS.EVENT_ID.eq(eventId))
                .orderBy(WEBHOOK_ATTEMPTS.ATTEMPT)
                .fetch(r -> new Attempt(r.getAttempt(), r.getNode(), r.getStartedAt(), r.getLatencyMs(),
                        Outcome.ofDbValue(r.getOutcome()), r.getStatusCode(), r.getError()));
    }

    /**
     * Sends an event again: pending, due at {@code now}, with the full attempt budget and no
     * failure, whatever its state was (a delivered event is sent again too: the receiver may have
     * lost it). Refused while an attempt holds a lease.
     */
    public Redelivery redeliver(UUID id, Instant now) {
        return dsl.transactionResult(c -> {
            DSLContext tx = c.dsl();
            WebhookEventsRecord r = tx.selectFrom(WEBHOOK_EVENTS).where(WEBHOOK_EVENTS.ID.eq(id))
                    .forUpdate().fetchOne();
            if (r == null) {
                return new NotFound();
            }
            if (r.getLeaseUntil() != null && r.getLeaseUntil().isAfter(now)) {
                return new InProgress(r.getLeaseUntil());
            }
            WebhookEventsRecord updated = tx.update(WEBHOOK_EVENTS)
                    .set(WEBHOOK_EVENTS.STATUS, PENDING)
                    .set(WEBHOOK_EVENTS.ATTEMPTS, 0)
                    .set(WEBHOOK_EVENTS.NEXT_ATTEMPT_AT, now)
                    .setNull(WEBHOOK_EVENTS.FAILED_AT)
                    .setNull(WEBHOOK_EVENTS.LEASE_OWNER)
                    .setNull(WEBHOOK_EVENTS.LEASE_TOKEN)
                    .setNull(WEBHOOK_EVENTS.LEASE_UNTIL)
                    .where(WEBHOOK_EVENTS.ID.eq(id))
                    .returning()
                    .fetchOne();
            return new Redelivered(delivery(updated));
        });
    }

    /** Pending events: how many, the oldest one's age and the earliest due time. */
    public QueueStats stats() {
        Record3<Integer, Instant, Instant> r = dsl.select(DSL.count(), DSL.min(WEBHOOK_EVENTS.CREATED_AT),
                        DSL.min(WEBHOOK_EVENTS.NEXT_ATTEMPT_AT))
                .from(WEBHOOK_EVENTS)
                .where(WEBHOOK_EVENTS.STATUS.eq(PENDING))
                .fetchSingle();
        return new QueueStats(r.value1(), r.value2(), r.value3());
    }

    private static Delivery delivery(WebhookEventsRecord r) {
        return new Delivery(r.getId(), r.getApiKeyId(), r.getEventType(), r.getCreatedAt(), r.getStatus(),
                r.getAttempts(), PENDING.equals(r.getStatus()) ? r.getNextAttemptAt() : null, r.getLastAttemptAt(),
                r.getLastStatusCode(), r.getLastError(), r.getDeliveredAt(), r.getFailedAt(), r.getData().data());
    }
}
