package ai.dalsi.metering.ledger;

import static ai.dalsi.metering.ledger.LedgerAssertions.assertTotalsAndRollupsMatchRows;
import static ai.dalsi.metering.ledger.LedgerAssertions.refusalCount;
import static ai.dalsi.metering.ledger.LedgerAssertions.rowCount;
import static ai.dalsi.metering.ledger.LedgerAssertions.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.CostCalculator;
import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Refused requests in a batch transaction: counted per key, hour, endpoint, model and status into
 * {@code api_usage_refusals}, the key totals and the rollups; example rows only for the sampled
 * ones; and a replay, with the same or other batch boundaries, never counts a refusal twice
 * (the journal's committed position is written in the same transaction).
 */
@ExtendWith(FreshDatabaseExtension.class)
class RefusalCountingIT {

    private static final Instant HOUR = Instant.parse("2026-11-20T10:00:00Z");

    private final DSLContext dsl;

    RefusalCountingIT(DSLContext dsl) {
        this.dsl = dsl;
    }

    private static UsageEvent refused(Fixtures.Key key, Instant at, int status) {
        return UsageEvent.builder(UuidV7.at(at), key.userId(), key.keyId()).endpoint("/v1/chat/completions")
                .method("POST").statusCode(status).clientIp("203.0.113.9").usage(TokenUsage.NONE)
                .costUsd(CostCalculator.ZERO).subscriptionTier("free").model("dalsi-chat")
                .errorMessage("Rate limit reached").refused(true).build();
    }

    /** 200 refusals of two keys (429 and 403) among 100 proxied requests. */
    private static List<UsageEvent> events(List<Fixtures.Key> keys) {
        List<UsageEvent> events = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 300; i++) {
            Instant at = HOUR.plusMillis(i * 1000L);
            Fixtures.Key key = keys.get(i % 2);
            events.add(i % 3 == 0 ? Fixtures.event(key, at, random) : refused(key, at, i % 5 == 1 ? 403 : 429));
        }
        return events;
    }


    private static Batch batch(List<UsageEvent> events, int fromPosition, UUID journal) {
        List<Batch.Kind> kinds = new ArrayList<>();
        long[] positions = new long[events.size()];
        int refusals = 0;
        for (int i = 0; i < events.size(); i++) {
            UsageEvent e = events.get(i);
            kinds.add(!e.refused() ? Batch.Kind.ROW : refusals++ % 5 == 0 ? Batch.Kind.SAMPLE : Batch.Kind.COUNT);
            positions[i] = fromPosition + i + 1L;
        }
        return Batch.of(events, kinds, positions, journal);
    }

    @Test
    void refusalsAreCountedExactlyWithBoundedExampleRowsAndAReplayCountsNothingTwice() {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "refusals", 1, 2);
        List<UsageEvent> events = events(keys);
        long proxied = events.stream().filter(e -> !e.refused()).count();
        long refusals = events.size() - proxied;
        UUID journal = UUID.randomUUID();
        BatchTransaction tx = BatchTransaction.standard();

        tx.write(dsl, batch(events, 0, journal));

        assertThat(refusalCount(dsl)).isEqualTo(refusals);
        assertThat(rowCount(dsl)).as("a row per proxied request and one per example refusal")
                .isEqualTo(proxied + (refusals + 4) / 5);
        assertThat(dsl.fetchValue("select count(*) from api_usage_logs where request_metadata->>'sampled_refusal' = 'true'"))
                .isEqualTo((refusals + 4) / 5);
        assertThat(dsl.fetchValue("select sum(total_requests) from api_keys where id in (?, ?)", keys.get(0).keyId(),
                keys.get(1).keyId())).isEqualTo(java.math.BigDecimal.valueOf(300));
        assertThat(dsl.fetchValue("select sum(request_count) from api_usage_refusals where status_code = 403"))
                .isEqualTo(java.math.BigDecimal.valueOf(events.stream().filter(e -> e.refused() && e.statusCode() == 403)
                        .count()));
        assertThat(dsl.fetchValue("select sum(error_count) from api_usage_hourly")).isEqualTo(java.math.BigDecimal.valueOf(
                events.stream().filter(UsageEvent::isError).count()));
        var k = dsl.fetchSingle("select * from api_keys where id = ?", keys.get(1).keyId());
        assertThat(k.get("last_used_at", java.time.OffsetDateTime.class).toInstant())
                .as("a refusal is the key's newest use").isEqualTo(events.get(299).createdAt());
        assertThat(k.get("last_used_ip", String.class)).isEqualTo("203.0.113.9");
        assertTotalsAndRollupsMatchRows(dsl);
        List<String> after = snapshot(dsl);

        // A crash before the journal's checkpoint: the same records come again, in other batches.
        tx.write(dsl, batch(events.subList(0, 120), 0, journal));
        tx.write(dsl, batch(events.subList(120, 300), 120, journal));
        assertThat(snapshot(dsl)).as("a replay counts nothing twice").isEqualTo(after);

        // Records after the committed position count, also in a batch that starts before it.
        List<UsageEvent> more = new ArrayList<>(events.subList(250, 300));
        for (int i = 0; i < 40; i++) {
            more.add(refused(keys.get(0), HOUR.plusSeconds(400 + i), 429));
        }
        tx.write(dsl, batch(more, 250, journal));
        assertThat(refusalCount(dsl)).isEqualTo(refusals + 40);
        assertTotalsAndRollupsMatchRows(dsl);
        assertThat(dsl.fetchValue("select committed_position from ledger_journals where journal_id = ?", journal))
                .isEqualTo(340L);
    }
}
