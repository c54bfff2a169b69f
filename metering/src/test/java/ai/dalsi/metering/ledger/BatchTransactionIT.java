package ai.dalsi.metering.ledger;

import static ai.dalsi.metering.ledger.LedgerAssertions.assertTotalsAndRollupsMatchRows;
import static ai.dalsi.metering.ledger.LedgerAssertions.rowCount;
import static ai.dalsi.metering.ledger.LedgerAssertions.snapshot;
import static ai.dalsi.metering.ledger.LedgerAssertions.storedIds;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One batch transaction against a real database, each way of writing it. */
@ExtendWith(FreshDatabaseExtension.class)
class BatchTransactionIT {

    private final DSLContext dsl;

    BatchTransactionIT(DSLContext dsl) {
        this.dsl = dsl;
    }

    static Stream<BatchTransaction> transactions() {
        return Stream.of(BatchTransaction.standard(), new ReturningBatchTransaction(new CopyRowInserter()),
                new ReturningBatchTransaction(new UnnestInserter()), new ReturningBatchTransaction(new MultiRowInserter()),
                new ReturningBatchTransaction(new BatchBindInserter()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transactions")
    void nEventsAreNRowsWithMatchingTotalsAndRollupsAndAReplayChangesNothing(BatchTransaction tx) {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, tx.name(), 5, 3);
        long before = rowCount(dsl);
        // Spread over three hours, so rollups span several hours per key; from a leap day into March, so
        // the batch crosses a month end (and its partitions) on whatever day the test runs.
        Instant start = Instant.parse("2028-02-29T22:00:00Z");
        List<UsageEvent> events = Fixtures.events(keys, 1500, start, 7_000, tx.name().hashCode());

        int inserted = tx.write(dsl, Batch.of(events));

        assertThat(inserted).isEqualTo(1500);
        assertThat(rowCount(dsl) - before).isEqualTo(1500);
        assertThat(storedIds(dsl)).containsAll(events.stream().map(UsageEvent::requestId).toList());
        assertTotalsAndRollupsMatchRows(dsl);
        List<String> afterFirst = snapshot(dsl);

        assertThat(tx.write(dsl, Batch.of(events))).isZero();
        assertThat(snapshot(dsl)).isEqualTo(afterFirst);

        // Half old, half new: only the new half counts.
        List<UsageEvent> more = Fixtures.events(keys, 400, start.plusMillis(1), 9_000, 99);
        List<UsageEvent> mixed = Stream.concat(events.subList(0, 400).stream(), more.stream()).toList();
        assertThat(tx.write(dsl, Batch.of(mixed))).isEqualTo(400);
        assertThat(rowCount(dsl) - before).isEqualTo(1900);
        assertTotalsAndRollupsMatchRows(dsl);
    }

    @Test
    void storesEveryFieldAndTheMetadata() {
        Fixtures.Key key = Fixtures.keys(dsl, "fields", 1, 1).getFirst();
        Instant at = Instant.parse("2026-11-20T10:15:30.123Z");
        UsageEvent e = UsageEvent.builder(ai.dalsi.persistence.UuidV7.at(at), key.userId(), key.keyId())
                .endpoint("/v1/chat/completions").method("POST").statusCode(200).responseTimeMs(321)
                .requestSizeBytes(1234).responseSizeBytes(5678).clientIp("2001:db8::7")
                .usage(ai.dalsi.metering.TokenUsage.estimate(400, 800, 0))
                .costUsd(new java.math.BigDecimal("0.00123400")).subscriptionTier("pro")
                .userAgent("curl/8\u0000x").rateLimitRemaining(41).rateLimitReset(at.plusSeconds(30))
                .model("dalsi-\"chat\"").product("ai.chat").stream(true).backendLatencyMs(250).build();

        BatchTransaction.standard().write(dsl, Batch.of(List.of(e)));

        var row = dsl.fetchSingle("select * from api_usage_logs where id = ?", e.requestId());
        assertThat(row.get("created_at", java.time.OffsetDateTime.class).toInstant()).isEqualTo(at);
        assertThat(row.get("ip_address", String.class)).isEqualTo("2001:db8::7");
        assertThat(row.get("tokens_used", Integer.class)).isEqualTo(100 + 200);
        assertThat(row.get("cost_usd", java.math.BigDecimal.class)).isEqualByComparingTo("0.001234");
        assertThat(row.get("user_agent", String.class)).isEqualTo("curl/8\uFFFDx");
        assertThat(row.get("rate_limit_remaining", Integer.class)).isEqualTo(41);
        assertThat(row.get("response_time_ms", Integer.class)).isEqualTo(321);
        String meta = dsl.fetchValue("select request_metadata::text from api_usage_logs where id = ?",
                e.requestId()).toString();
        assertThat(meta).contains("\"model\": \"dalsi-\\\"chat\\\"\"", "\"stream\": true", "\"usage_estimated\": true",
                "\"prompt_tokens\": 100", "\"completion_tokens\": 200", "\"backend_latency_ms\": 250",
                "\"request_id\": \"" + e.requestId() + "\"", "\"client_aborted\": false", "\"product\": \"ai.chat\"",
                "\"images\": 0");
        var k = dsl.fetchSingle("select * from api_keys where id = ?", key.keyId());
        assertThat(k.get("last_used_ip", String.class)).isEqualTo("2001:db8::7");
        assertThat(k.get("last_used_endpoint", String.class)).isEqualTo("/v1/chat/completions");
        assertThat(k.get("last_used_at", java.time.OffsetDateTime.class).toInstant()).isEqualTo(at);
        var h = dsl.fetchSingle("select * from api_usage_hourly where api_key_id = ?", key.keyId());
        assertThat(h.get("model", String.class)).isEqualTo("dalsi-\"chat\"");
        assertThat(h.get("hour", java.time.OffsetDateTime.class).toInstant()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
    }

    @Test
    void lastUsedNeverMovesBackwards() {
        Fixtures.Key key = Fixtures.keys(dsl, "lastused", 1, 1).getFirst();
        Instant t = Instant.parse("2026-11-21T08:00:00Z");
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        UsageEvent newer = withIp(Fixtures.event(key, t, r), "198.51.100.2");
        UsageEvent older = withIp(Fixtures.event(key, t.minusSeconds(3600), r), "198.51.100.1");
        BatchTransaction tx = BatchTransaction.standard();

        tx.write(dsl, Batch.of(List.of(newer)));
        tx.write(dsl, Batch.of(List.of(older)));

        var k = dsl.fetchSingle("select * from api_keys where id = ?", key.keyId());
        assertThat(k.get("last_used_at", java.time.OffsetDateTime.class).toInstant()).isEqualTo(t);
        assertThat(k.get("last_used_ip", String.class)).isEqualTo("198.51.100.2");
        assertThat(k.get("total_requests", Long.class)).isEqualTo(2);
        assertTotalsAndRollupsMatchRows(dsl);
    }

    private static UsageEvent withIp(UsageEvent e, String ip) {
        return new UsageEvent(e.requestId(), e.userId(), e.apiKeyId(), e.endpoint(), e.method(), e.statusCode(),
                e.responseTimeMs(), e.requestSizeBytes(), e.responseSizeBytes(), ip, e.usage(), e.costUsd(),
                e.subscriptionTier(), e.errorMessage(), e.userAgent(), e.rateLimitRemaining(), e.rateLimitReset(),
                e.model(), e.product(), e.stream(), e.backendLatencyMs(), e.clientAborted(), e.backend(), e.attempts(), e.refused());
    }
}
