package ai.dalsi.persistence.webhooks;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.WEBHOOK_EVENTS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Row6;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Puts webhook events into the outbox ({@code webhook_events}), in the caller's transaction, so
 * that an event is stored exactly when its cause is committed. Producers: the admin API's revoke
 * and rotate, the expiry sweep, the ledger writer's batch (rate limits and monthly budget
 * thresholds).
 */
public final class WebhookOutbox {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WebhookOutbox() {
    }

    /**
     * Inserts the events whose key has a {@code webhook_url}; an event whose {@code dedupeKey} is
     * stored already (a replayed batch, another node that saw the same window) is skipped. One
     * statement, rows in {@code dedupeKey} order so that concurrent producers never wait on each
     * other in opposite orders.
     *
     * @param tx the DSL of the transaction that commits the cause
     * @return how many events were stored
     */
    public static int enqueue(DSLContext tx, Collection<WebhookEvent> events) {
        if (events.isEmpty()) {
            return 0;
        }
        List<WebhookEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(WebhookEvent::dedupeKey));
        List<Row6<UUID, UUID, String, JSONB, String, Instant>> rows = new ArrayList<>(sorted.size());
        for (WebhookEvent e : sorted) {
            rows.add(DSL.row(DSL.val(e.id()), DSL.val(e.apiKeyId()), DSL.val(e.type().wireName()),
                    DSL.val(json(e), SQLDataType.JSONB), DSL.val(e.dedupeKey()),
                    DSL.val(e.createdAt(), WEBHOOK_EVENTS.CREATED_AT.getDataType())));
        }
        Table<?> v = DSL.values(rows.toArray(Row6[]::new)).as("v", "id", "key_id", "type", "data", "dedupe", "at");
        Field<UUID> keyId = v.field("key_id", UUID.class);
        Field<Instant> at = DSL.field(DSL.name("v", "at"), WEBHOOK_EVENTS.CREATED_AT.getDataType());
        Field<JSONB> keyFields = DSL.jsonbObject(
                DSL.jsonEntry("key_id", API_KEYS.ID),
                DSL.jsonEntry("key_prefix", API_KEYS.KEY_PREFIX),
                DSL.jsonEntry("key_name", API_KEYS.NAME),
                DSL.jsonEntry("user_id", API_KEYS.USER_ID));
        Field<JSONB> data = DSL.field("{0} || {1}", SQLDataType.JSONB, keyFields,
                DSL.field(DSL.name("v", "data"), SQLDataType.JSONB));
        return tx.insertInto(WEBHOOK_EVENTS, WEBHOOK_EVENTS.ID, WEBHOOK_EVENTS.API_KEY_ID, WEBHOOK_EVENTS.EVENT_TYPE,
                        WEBHOOK_EVENTS.DATA, WEBHOOK_EVENTS.DEDUPE_KEY, WEBHOOK_EVENTS.CREATED_AT,
                        WEBHOOK_EVENTS.NEXT_ATTEMPT_AT)
                .select(DSL.select(v.field("id", UUID.class), API_KEYS.ID, v.field("type", String.class), data,
                                v.field("dedupe", String.class), at, at)
                        .from(v)
                        .join(API_KEYS).on(API_KEYS.ID.eq(keyId))
                        .where(API_KEYS.WEBHOOK_URL.isNotNull())
                        .orderBy(v.field("dedupe", String.class)))
                .onConflict(WEBHOOK_EVENTS.DEDUPE_KEY)
                .doNothing()
                .execute();
    }

    private static JSONB json(WebhookEvent e) {
        try {
            return JSONB.jsonb(JSON.writeValueAsString(e.data()));
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("event data not representable as JSON: " + e.type(), ex);
        }
    }
}
