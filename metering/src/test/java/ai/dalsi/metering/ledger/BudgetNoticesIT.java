package ai.dalsi.metering.ledger;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.USERS;
import static ai.dalsi.persistence.schema.Tables.WEBHOOK_EVENTS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.JSONB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real batch transaction puts {@code budget.threshold} events into the outbox when a key's or a
 * user's month spend reaches 80% and 100% of its budget: once per threshold and month, however the
 * spend is split into batches or replayed, and again in the next month.
 */
@ExtendWith(FreshDatabaseExtension.class)
class BudgetNoticesIT {

    private final DSLContext dsl;

    BudgetNoticesIT(DSLContext dsl) {
        this.dsl = dsl;
    }

    private Fixtures.Key hookedKey(String tag) {
        Fixtures.Key key = Fixtures.keys(dsl, tag, 1, 1).getFirst();
        dsl.update(API_KEYS).set(API_KEYS.WEBHOOK_URL, "https://hooks.example.com/" + tag)
                .where(API_KEYS.ID.eq(key.keyId())).execute();
        return key;
    }

    private static UsageEvent spend(Fixtures.Key key, Instant at, String usd) {
        return UsageEvent.builder(UuidV7.at(at), key.userId(), key.keyId()).endpoint("/v1/chat/completions")
                .statusCode(200).model("dalsi-chat").costUsd(new BigDecimal(usd)).build();
    }

    /** (threshold_percent, scope) of the key's budget events, oldest first. */
    private List<String> thresholds(UUID keyId) {
        return dsl.select(WEBHOOK_EVENTS.DATA, WEBHOOK_EVENTS.CREATED_AT).from(WEBHOOK_EVENTS)
                .where(WEBHOOK_EVENTS.API_KEY_ID.eq(keyId)).and(WEBHOOK_EVENTS.EVENT_TYPE.eq("budget.threshold"))
                .orderBy(WEBHOOK_EVENTS.CREATED_AT, WEBHOOK_EVENTS.DEDUPE_KEY)
                .fetch(r -> describe(r));
    }

    private static String describe(Record2<JSONB, Instant> r) {
        String d = r.value1().data();
        return field(d, "scope") + ":" + field(d, "month") + ":" + field(d, "threshold_percent");
    }

    private static String field(String json, String name) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).path(name).asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aKeysBudgetCrossedAcrossBatchesIsOneEventPerThresholdAndMonth() {
        Fixtures.Key key = hookedKey("keybudget");
        Fixtures.Key unhooked = Fixtures.keys(dsl, "nohook", 1, 1).getFirst();
        dsl.update(API_KEYS).set(API_KEYS.MONTHLY_BUDGET_USD, new BigDecimal("10")).execute();
        BatchTransaction tx = BatchTransaction.standard();
        Instant t = Instant.parse("2030-05-06T07:00:00Z");

        tx.write(dsl, Batch.of(List.of(spend(key, t, "7.99999999"), spend(unhooked, t, "20"))));
        assertThat(thresholds(key.keyId())).as("below 80%").isEmpty();
        tx.write(dsl, Batch.of(List.of(spend(key, t.plusSeconds(60), "0.00000001"))));
        assertThat(thresholds(key.keyId())).containsExactly("key:2030-05:80");
        List<UsageEvent> more = List.of(spend(key, t.plusSeconds(120), "1"), spend(key, t.plusSeconds(180), "1.5"));
        tx.write(dsl, Batch.of(more));
        tx.write(dsl, Batch.of(List.of(spend(key, t.plusSeconds(240), "3"))));
        assertThat(tx.write(dsl, Batch.of(more))).as("a replayed batch inserts nothing").isZero();
        assertThat(thresholds(key.keyId())).containsExactly("key:2030-05:80", "key:2030-05:100");
        assertThat(thresholds(unhooked.keyId())).as("no webhook_url, no event").isEmpty();

        var event = dsl.selectFrom(WEBHOOK_EVENTS).where(WEBHOOK_EVENTS.API_KEY_ID.eq(key.keyId()))
                .and(WEBHOOK_EVENTS.DEDUPE_KEY.endsWith(":100")).fetchOne();
        assertThat(new BigDecimal(field(event.getData().data(), "budget_usd"))).isEqualByComparingTo("10");
        assertThat(new BigDecimal(field(event.getData().data(), "spent_usd"))).isEqualByComparingTo("10.5");
        assertThat(event.getCreatedAt()).as("the batch that crossed it").isEqualTo(t.plusSeconds(180));

        tx.write(dsl, Batch.of(List.of(spend(key, Instant.parse("2030-06-01T00:00:01Z"), "9"))));
        assertThat(thresholds(key.keyId())).containsExactly("key:2030-05:80", "key:2030-05:100", "key:2030-06:80");
    }

    @Test
    void aUsersBudgetCountsAllTheirKeysButInternalOnesAndTellsEachHookedKey() {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "userbudget", 1, 2);
        UUID user = keys.getFirst().userId();
        UUID internal = Fixtures.key(new ai.dalsi.persistence.repo.ApiKeyRepository(dsl), user, true);
        dsl.update(API_KEYS).set(API_KEYS.WEBHOOK_URL, "https://hooks.example.com/u")
                .where(API_KEYS.ID.eq(keys.get(0).keyId())).execute();
        dsl.update(USERS).set(USERS.MONTHLY_BUDGET_USD, new BigDecimal("100")).where(USERS.ID.eq(user)).execute();
        BatchTransaction tx = BatchTransaction.standard();
        Instant t = Instant.parse("2030-07-01T10:00:00Z");

        tx.write(dsl, Batch.of(List.of(spend(new Fixtures.Key(user, internal), t, "500"))));
        assertThat(thresholds(keys.get(0).keyId())).as("internal keys do not count").isEmpty();
        // The other key (no webhook) spends; the hooked key hears of its user's budget.
        tx.write(dsl, Batch.of(List.of(spend(keys.get(1), t.plusSeconds(1), "85"))));
        assertThat(thresholds(keys.get(0).keyId())).containsExactly("user:2030-07:80");
        tx.write(dsl, Batch.of(List.of(spend(keys.get(0), t.plusSeconds(2), "15"))));
        assertThat(thresholds(keys.get(0).keyId())).containsExactly("user:2030-07:80", "user:2030-07:100");
    }

    @Test
    void aBudgetOfZeroIsReachedByTheFirstCostAndNotByFreeRequests() {
        assertThat(BudgetNotices.reached(BigDecimal.ZERO, BigDecimal.ZERO)).isEmpty();
        assertThat(BudgetNotices.reached(BigDecimal.ZERO, new BigDecimal("0.00000001"))).containsExactly(80, 100);
        assertThat(BudgetNotices.reached(new BigDecimal("10"), new BigDecimal("7.99999999"))).isEmpty();
        assertThat(BudgetNotices.reached(new BigDecimal("10"), new BigDecimal("8"))).containsExactly(80);
        assertThat(BudgetNotices.reached(null, new BigDecimal("8"))).isEmpty();
    }
}
