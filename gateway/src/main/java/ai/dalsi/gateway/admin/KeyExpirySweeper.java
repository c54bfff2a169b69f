package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_KEY_REVOCATIONS;

import ai.dalsi.persistence.webhooks.WebhookEvent;
import ai.dalsi.persistence.webhooks.WebhookOutbox;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.Record3;
import org.jooq.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revokes keys whose {@code expires_at} has passed: {@code revoked_at}, reason {@code expired},
 * inactive, an {@code api_key_revocations} row of type {@code automatic} and, for keys with a
 * webhook, a {@code key.expired} event in the outbox, in one transaction per sweep. Every node
 * runs it; that is safe: the UPDATE only takes rows with {@code revoked_at IS NULL}, and a node
 * that finds a row locked by another node's sweep waits, re-reads it as revoked and skips it, so
 * each key gets exactly one revocation row (and one event). The edge
 * already refuses expired keys by their {@code expires_at}; the sweep makes the state visible to
 * the portal and the audit trail.
 */
public final class KeyExpirySweeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeyExpirySweeper.class);

    private final DSLContext dsl;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    public KeyExpirySweeper(DSLContext dsl, Clock clock) {
        this.dsl = dsl;
        this.clock = clock;
    }

    /** Revokes every key expired as of the clock's now; returns how many this call revoked. */
    public int sweepOnce() {
        Instant now = clock.instant();
        return dsl.transactionResult(c -> {
            DSLContext tx = c.dsl();
            Result<Record3<UUID, UUID, Instant>> expired = tx.update(API_KEYS)
                    .set(API_KEYS.IS_ACTIVE, false)
                    .set(API_KEYS.REVOKED_AT, now)
                    .set(API_KEYS.REVOKE_REASON, "expired")
                    .set(API_KEYS.UPDATED_AT, now)
                    .where(API_KEYS.REVOKED_AT.isNull())
                    .and(API_KEYS.EXPIRES_AT.le(now))
                    .returningResult(API_KEYS.ID, API_KEYS.USER_ID, API_KEYS.EXPIRES_AT)
                    .fetch();
            if (expired.isEmpty()) {
                return 0;
            }
            var insert = tx.insertInto(API_KEY_REVOCATIONS, API_KEY_REVOCATIONS.API_KEY_ID,
                    API_KEY_REVOCATIONS.USER_ID, API_KEY_REVOCATIONS.REVOKE_REASON, API_KEY_REVOCATIONS.REVOKE_TYPE,
                    API_KEY_REVOCATIONS.REVOKED_AT);
            List<WebhookEvent> events = new ArrayList<>();
            for (Record3<UUID, UUID, Instant> k : expired) {
                insert = insert.values(k.value1(), k.value2(), "expired", "automatic", now);
                events.add(WebhookEvent.keyExpired(k.value1(), k.value3(), now));
            }
            insert.execute();
            WebhookOutbox.enqueue(tx, events);
            LOG.info("revoked {} expired key(s)", expired.size());
            return expired.size();
        });
    }

    /** Sweeps now and then every {@code interval} on a thread of its own, until {@link #close()}. */
    public KeyExpirySweeper start(Duration interval) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "key-expiry-sweep");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::sweepSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweepSafely() {
        try {
            sweepOnce();
        } catch (RuntimeException e) {
            // The next run retries; a database outage must not end the schedule.
            LOG.warn("expired-key sweep failed, retrying at the next interval: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
