package ai.dalsi.metering.ledger;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.WEBHOOK_EVENTS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ledger's batch transaction puts one {@code key.rate_limited} event per key and window into
 * the outbox, however the refusals are split into batches, replayed or written by several nodes.
 */
@ExtendWith(FreshDatabaseExtension.class)
class RateLimitNoticesIT {

    private static final String PER_MINUTE = "Rate limit reached for requests per minute: limit 2. Please try again in 30s.";

    private final DSLContext dsl;

    RateLimitNoticesIT(DSLContext dsl) {
        this.dsl = dsl;
    }

    private Fixtures.Key hookedKey(String tag) {
        Fixtures.Key key = Fixtures.keys(dsl, tag, 1, 1).getFirst();
        dsl.update(API_KEYS).set(API_KEYS.WEBHOOK_URL, "https://hooks.example.com/" + tag)
                .where(API_KEYS.ID.eq(key.keyId())).execute();
        return key;
    }

    private static List<UsageEvent> flood(Fixtures.Key key, Instant from, int n, long stepMillis) {
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(RateLimitNoticesTest.refused(key.userId(), key.keyId(), from.plusMillis(i * stepMillis), 429,
                    PER_MINUTE));
        }
        return events;
    }

    private List<Instant> eventsOf(UUID keyId) {
        return dsl.select(WEBHOOK_EVENTS.CREATED_AT).from(WEBHOOK_EVENTS).where(WEBHOOK_EVENTS.API_KEY_ID.eq(keyId))
                .and(WEBHOOK_EVENTS.EVENT_TYPE.eq("key.rate_limited")).orderBy(WEBHOOK_EVENTS.CREATED_AT)
                .fetch(WEBHOOK_EVENTS.CREATED_AT);
    }

    @Test
    void aFloodOverTwoMinutesInManyBatchesIsTwoEventsAndAReplayAddsNone() {
        Fixtures.Key key = hookedKey("flood");
        Fixtures.Key quiet = Fixtures.keys(dsl, "quiet", 1, 1).getFirst();
        Instant start = Instant.parse("2030-05-06T07:08:30Z");
        List<UsageEvent> events = flood(key, start, 300, 200); // 07:08:30 to 07:09:29.8
        events.addAll(flood(quiet, start, 50, 100));
        BatchTransaction tx = BatchTransaction.standard();
        for (int i = 0; i < events.size(); i += 40) {
            tx.write(dsl, Batch.of(events.subList(i, Math.min(events.size(), i + 40))));
        }
        assertThat(eventsOf(key.keyId())).containsExactly(start, Instant.parse("2030-05-06T07:09:00Z"));
        assertThat(eventsOf(quiet.keyId())).as("no webhook_url, no event").isEmpty();

        assertThat(tx.write(dsl, Batch.of(events.subList(0, 100)))).as("a replayed batch inserts nothing").isZero();
        assertThat(eventsOf(key.keyId())).hasSize(2);
    }

    @Test
    void twoWritersSeeingTheSameWindowAddOneEventBetweenThem() throws Exception {
        Fixtures.Key key = hookedKey("nodes");
        Instant start = Instant.parse("2030-05-06T08:00:10Z");
        List<UsageEvent> a = flood(key, start, 50, 100);
        List<UsageEvent> b = flood(key, start.plusMillis(50), 50, 100);
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> writerA = writers.submit(() -> {
                await(together);
                return BatchTransaction.standard().write(dsl, Batch.of(a));
            });
            Future<Integer> writerB = writers.submit(() -> {
                await(together);
                return BatchTransaction.standard().write(dsl, Batch.of(b));
            });
            assertThat(writerA.get(30, TimeUnit.SECONDS) + writerB.get(30, TimeUnit.SECONDS)).isEqualTo(100);
        } finally {
            writers.shutdownNow();
        }
        assertThat(eventsOf(key.keyId())).hasSize(1);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
