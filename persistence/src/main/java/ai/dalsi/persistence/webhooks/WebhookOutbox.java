package ai.dalsi.persistence.webhooks;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.WEBHOOK_EVENTS;

import ai.dalsi.persistence.jooq.RenderedQuery;
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
        int n = sorted.size();
        UUID[] ids = new UUID[n];
        UUID[] keys = new UUID[n];
        String[] types = new String[n];
        String[] data = new String[n];
        String[] dedupe = new String[n];
        Instant[] at = new Instant[n];
        for (int i = 0; i < n; i++) {
            WebhookEvent e = sorted.get(i);
            ids[i] = e.id();
            keys[i] = e.apiKeyId();
            types[i] = e.type().wireName();
            data[i] = json(e);
            dedupe[i] = e.dedupeKey();
            at[i] = e.createdAt();
        }
        return INSERT.execute(tx, ids, keys, types, data, dedupe, at);
    }

    /**
     * The events as one array per column ({@code unnest}), so that the statement is the same for
     * any number of events and is rendered once (the ledger writer runs it with every batch that
     * has refusals).
     */
    private static final RenderedQuery INSERT = RenderedQuery.of(tx -> {
        Table<?> v = DSL.table("unnest({0}, {1}, {2}, {3}, {4}, {5})",
                        RenderedQuery.slot(SQLDataType.UUID.array()), RenderedQuery.slot(SQLDataType.UUID.array()),
                        RenderedQuery.slot(SQLDataType.CLOB.array()), RenderedQuery.slot(SQLDataType.JSONB.array()),
                        RenderedQuery.slot(SQLDataType.CLOB.array()),
                        RenderedQuery.slot(WEBHOOK_EVENTS.CREATED_AT.getDataType().array()))
                .as("v", "id", "key_id", "type", "data", "dedupe", "at");
        Field<UUID> keyId = DSL.field(DSL.name("v", "key_id"), UUID.class);
        Field<Instant> at = DSL.field(DSL.name("v", "at"), WEBHOOK_EVENTS.CREATED_AT.getDataType());
        Field<String> dedupe = DSL.field(DSL.name("v", "dedupe"), String.class);
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
                .select(DSL.select(DSL.field(DSL.name("v", "id"), UUID.class), API_KEYS.ID,
                                DSL.field(DSL.name("v", "type"), String.class), data, dedupe, at, at)
                        .from(v)
                        .join(API_KEYS).on(API_KEYS.ID.eq(keyId))
                        .where(API_KEYS.WEBHOOK_URL.isNotNull())
                        .orderBy(dedupe))
                .onConflict(WEBHOOK_EVENTS.DEDUPE_KEY)
                .doNothing();
    });

    private static String json(WebhookEvent e) {
        try {
            return JSON.writeValueAsString(e.data());
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("event data not representable as JSON: " + e.type(), ex);
        }
    }
}
