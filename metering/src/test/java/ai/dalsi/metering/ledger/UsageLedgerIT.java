package ai.dalsi.metering.ledger;

import static ai.dalsi.metering.ledger.LedgerAssertions.assertTotalsAndRollupsMatchRows;
import static ai.dalsi.metering.ledger.LedgerAssertions.refusalCount;
import static ai.dalsi.metering.ledger.LedgerAssertions.rowCount;
import static ai.dalsi.metering.ledger.LedgerAssertions.storedIds;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.CostCalculator;
import ai.dalsi.metering.MeteringConfig;
import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.MeteringMetrics;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.metering.UsageRefusedException;
import ai.dalsi.persistence.UuidV7;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The ledger end to end against a real database: journal, writer, shutdown, restart, bound. */
@ExtendWith(FreshDatabaseExtension.class)
class UsageLedgerIT {

    private final TestDatabase db;
    private final DSLContext dsl;

    @TempDir
    Path journal;

    UsageLedgerIT(TestDatabase db) {
        this.db = db;
        this.dsl = db.dsl();
    }

    private static void acceptAll(UsageLedger ledger, List<UsageEvent> events) {
        List<CompletionStage<Void>> stages = new ArrayList<>();
        for (UsageEvent e : events) {
            stages.add(ledger.accept(e));
        }
        for (CompletionStage<Void> s : stages) {
            s.toCompletableFuture().join(); // completes normally: journaled
        }
    }

    private static Set<UUID> ids(List<UsageEvent> events) {
        return events.stream().map(UsageEvent::requestId).collect(Collectors.toSet());
    }

    @Test
    void eventsFromSeveralThreadsBecomeRowsWithMatchingTotalsAndRollups() throws Exception {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "ledger", 4, 2);
        long before = rowCount(dsl);
        LedgerTesting.CountingMetrics metrics = new LedgerTesting.CountingMetrics();
        List<UsageEvent> a = Fixtures.events(keys, 2500, Instant.now().minusSeconds(600), 3, 1);
        List<UsageEvent> b = Fixtures.events(keys, 2500, Instant.now().minusSeconds(300), 3, 2);
        try (UsageLedger ledger = UsageLedger.start(LedgerTesting.config(journal), dsl, Clock.systemUTC(), metrics)) {
            assertThat(metrics.gauges).isNotNull();
            Thread t1 = Thread.ofPlatform().start(() -> acceptAll(ledger, a));
            Thread t2 = Thread.ofPlatform().start(() -> acceptAll(ledger, b));
            t1.join();
            t2.join();

            Eventually.await("5000 rows", Duration.ofSeconds(30), () -> rowCount(dsl) - before == 5000);
            Eventually.await("queue empty", () -> ledger.gauges().queueDepth() == 0);
            assertThat(storedIds(dsl)).containsAll(ids(a)).containsAll(ids(b));
            assertTotalsAndRollupsMatchRows(dsl);
            assertThat(metrics.inserted.get()).isEqualTo(5000);
            assertThat(ledger.gauges().oldestUncommittedAge()).isEqualTo(Duration.ZERO);
            assertThat(ledger.gauges().journalBytes()).isLessThan(1024);
            assertThat(ledger.accepting()).isTrue();
        }
    }

    @Test
    void closeDrainsEverythingJournaledBeforeItReturns() {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "drain", 2, 2);
        long before = rowCount(dsl);
        // Batches that never fill and never age out: only the drain writes them.
        MeteringConfig config = LedgerTesting.config(journal).withBatching(100_000, Duration.ofHours(1));
        List<UsageEvent> events = Fixtures.events(keys, 3000, Instant.now().minusSeconds(60), 5, 3);
        UsageLedger ledger = UsageLedger.start(config, dsl, Clock.systemUTC(), MeteringMetrics.NOOP);
        acceptAll(ledger, events);
        assertThat(rowCount(dsl)).isEqualTo(before);

        ledger.close();

        assertThat(rowCount(dsl) - before).isEqualTo(3000);
        assertThat(storedIds(dsl)).containsAll(ids(events));
        assertTotalsAndRollupsMatchRows(dsl);
        assertThat(ledger.accepting()).isFalse();
        assertThatRefused(ledger.accept(events.getFirst()), UsageRefusedException.Reason.CLOSED);
    }

    private static UsageEvent refusal(Fixtures.Key key, Instant at) {
        return UsageEvent.builder(UuidV7.at(at), key.userId(), key.keyId()).endpoint("/v1/chat/completions")
                .method("POST").statusCode(429).clientIp("203.0.113.9").usage(TokenUsage.NONE)
                .costUsd(CostCalculator.ZERO).model("dalsi-chat").errorMessage("Rate limit reached").refused(true)
                .build();
    }

    @Test
    void aBatchHoldsItsSizeInRowsOrFiveTimesItInRefusalsThatAreOnlyCounted() {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "batches", 1, 1);
        Fixtures.Key key = keys.getFirst();
        // Batches of 10 that never age out, and no example rows: only a full batch is written.
        MeteringConfig config = LedgerTesting.config(journal).withBatching(10, Duration.ofHours(1))
                .withRefusalSamplesPerMinute(0);
        LedgerTesting.CountingMetrics metrics = new LedgerTesting.CountingMetrics();
        long rowsBefore = rowCount(dsl);
        long refusalsBefore = refusalCount(dsl);
        // A fixed time: the writer creates that month's partition itself.
        Instant at = Instant.parse("2026-11-20T10:00:00Z");
        List<UsageEvent> refusals = new ArrayList<>();
        for (int i = 0; i < 99; i++) {
            refusals.add(refusal(key, at.plusMillis(i)));
        }
        List<UsageEvent> proxied = Fixtures.events(keys, 10, at.plusSeconds(1), 1, 9);
        UsageLedger ledger = UsageLedger.start(config, dsl, Clock.systemUTC(), metrics);
        try {
            acceptAll(ledger, refusals.subList(0, 50));
            Eventually.await("50 refusals in one batch", Duration.ofSeconds(30), () -> refusalCount(dsl) - refusalsBefore == 50);
            acceptAll(ledger, proxied);
            Eventually.await("10 rows in one batch", Duration.ofSeconds(30), () -> rowCount(dsl) - rowsBefore == 10);
            acceptAll(ledger, refusals.subList(50, 99));
            Eventually.await("the journal read", () -> ledger.gauges().queueDepth() == 49);
            // 49 refusals are not a full batch: they wait for its age (an hour) or the drain.
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
            assertThat(refusalCount(dsl) - refusalsBefore).isEqualTo(50);
        } finally {
            ledger.close();
        }
        assertThat(refusalCount(dsl) - refusalsBefore).isEqualTo(99);
        assertThat(metrics.batches).containsExactly(50, 10, 49);
        assertTotalsAndRollupsMatchRows(dsl);
        assertThat(dsl.fetchValue("select total_requests from api_keys where id = ?", key.keyId())).isEqualTo(109L);
    }

    /**
     * Two event loops refusing two keys for a minute and a half: every refusal is counted once,
     * each key keeps the writer's three examples per minute although each thread journals its own
     * first three whole, and the limits named only by refusals journaled as counted still reach the
     * outbox.
     */
    @Test
    void aRefusalFloodFromTwoThreadsKeepsItsExamplesAndCountsEveryRefusalOnce() throws Exception {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "flood", 1, 2);
        dsl.execute("update api_keys set webhook_url = 'https://hooks.example.com/flood' where id = ?",
                keys.getFirst().keyId());
        // One batch, written by the drain at close: the journal holds the whole flood until then.
        MeteringConfig config = LedgerTesting.config(journal).withRefusalSamplesPerMinute(3)
                .withBatching(100_000, Duration.ofHours(1));
        long refusalsBefore = refusalCount(dsl);
        Instant start = Instant.parse("2026-11-20T11:00:30Z");
        String perMinute = "Rate limit reached for requests per minute: limit 2. Please try again in 30s.";
        String perDay = "Rate limit reached for dalsi-chat with API key dsk_live_AbC on tokens per day (TPD): Limit 1000,"
                + " Used 990, Requested 40. Please try again in 3h.";
        List<List<UsageEvent>> perThread = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            List<UsageEvent> events = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                Fixtures.Key key = keys.get(i % 2);
                // From 11:01:15 on, past each minute's examples, the first key is refused for its daily tokens.
                Instant at = start.plusMillis(i / 2 * 600L);
                events.add(UsageEvent.builder(UuidV7.at(at), key.userId(), key.keyId()).endpoint("/v1/chat/completions")
                        .method("POST").statusCode(429).clientIp("203.0.113." + (10 + t)).model("dalsi-chat")
                        .subscriptionTier("free").userAgent("OpenAI/Python 1.54").rateLimitRemaining(0)
                        .rateLimitReset(at.plusSeconds(30)).errorMessage(i >= 150 ? perDay : perMinute)
                        .refused(true).build());
            }
            perThread.add(events);
        }
        try (UsageLedger ledger = UsageLedger.start(config, dsl, Clock.systemUTC(), MeteringMetrics.NOOP)) {
            Thread t1 = Thread.ofPlatform().start(() -> acceptAll(ledger, perThread.get(0)));
            Thread t2 = Thread.ofPlatform().start(() -> acceptAll(ledger, perThread.get(1)));
            t1.join();
            t2.join();
            // Whole, each of these refusals takes 336 bytes of journal; only counted, 144.
            assertThat(ledger.gauges().journalBytes()).as("24 refusals whole and 576 only counted")
                    .isEqualTo(24 * 336 + 576 * 144);
        }

        assertThat(refusalCount(dsl) - refusalsBefore).isEqualTo(600);
        for (Fixtures.Key key : keys) {
            assertThat(dsl.fetch("select date_trunc('minute', created_at) as minute, count(*) as n from api_usage_logs"
                    + " where api_key_id = ? and request_metadata->>'sampled_refusal' = 'true' group by 1 order by 1",
                    key.keyId()).map(r -> r.get("n", Long.class)))
                    .as("three examples in each of the two minutes").containsExactly(3L, 3L);
            assertThat(dsl.fetchValue("select total_requests from api_keys where id = ?", key.keyId())).isEqualTo(300L);
            assertThat(dsl.fetchValue("select last_used_at from api_keys where id = ?", key.keyId(),
                    java.time.OffsetDateTime.class)).isNotNull();
        }
        assertThat(dsl.fetchValue("select last_used_ip::text from api_keys where id = ?", keys.getFirst().keyId()))
                .isIn("203.0.113.10/32", "203.0.113.11/32", "203.0.113.10", "203.0.113.11");
        var notices = dsl.fetch("select created_at, data->>'window' as w, data->>'limit_type' as t from webhook_events"
                + " where api_key_id = ? and event_type = 'key.rate_limited' order by created_at", keys.getFirst().keyId());
        assertThat(notices.map(r -> r.get(0, java.time.OffsetDateTime.class).toInstant() + " " + r.get("w") + " " + r.get("t")))
                .as("two minutes, and the day named only by refusals that were journaled as counted")
                .containsExactly("2026-11-20T11:00:30Z minute requests", "2026-11-20T11:01:00Z minute requests",
                        "2026-11-20T11:01:15Z day tokens");
        assertTotalsAndRollupsMatchRows(dsl);
    }

    @Test
    void closeWithTheDatabaseUnreachableKeepsEventsForTheNextStart() {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "undrained", 2, 2);
        long before = rowCount(dsl);
        List<UsageEvent> events = Fixtures.events(keys, 2000, Instant.now().minusSeconds(60), 5, 4);
        MeteringConfig config = LedgerTesting.config(journal).withShutdownDrainTimeout(Duration.ofMillis(300));
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 5432);
             HikariDataSource pool = LedgerTesting.pool(proxy.jdbcUrl(db.name()), db.user(), db.password())) {
            proxy.cut();
            UsageLedger ledger = UsageLedger.start(config, LedgerTesting.dsl(pool), Clock.systemUTC(),
                    MeteringMetrics.NOOP);
            acceptAll(ledger, events);
            assertThat(ledger.gauges().queueDepth()).isEqualTo(2000);
            ledger.close();
        }
        assertThat(rowCount(dsl)).isEqualTo(before);

        try (UsageLedger next = UsageLedger.start(config, dsl, Clock.systemUTC(), MeteringMetrics.NOOP)) {
            Eventually.await("the journal replayed", Duration.ofSeconds(30), () -> rowCount(dsl) - before == 2000);
            assertThat(storedIds(dsl)).containsAll(ids(events));
            assertTotalsAndRollupsMatchRows(dsl);
            Eventually.await("queue empty", () -> next.gauges().queueDepth() == 0);
        }
    }

    @Test
    void anEventPostgresRejectsIsSetAsideAndTheRestIsWritten() throws Exception {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "poison", 1, 2);
        long before = rowCount(dsl);
        List<UsageEvent> events = new ArrayList<>(Fixtures.events(keys, 300, Instant.now().minusSeconds(60), 5, 5));
        // A key that does not exist (deleted meanwhile): the foreign key rejects it for good.
        UsageEvent orphan = Fixtures.event(new Fixtures.Key(keys.getFirst().userId(), UUID.randomUUID()),
                Instant.now().minusSeconds(30), new SplittableRandom(1));
        events.add(150, orphan);
        LedgerTesting.CountingMetrics metrics = new LedgerTesting.CountingMetrics();
        try (UsageLedger ledger = UsageLedger.start(LedgerTesting.config(journal).withBatching(1000,
                Duration.ofMillis(50)), dsl, Clock.systemUTC(), metrics)) {
            acceptAll(ledger, events);
            Eventually.await("the good rows", Duration.ofSeconds(30), () -> rowCount(dsl) - before == 300);
            Eventually.await("queue empty", () -> ledger.gauges().queueDepth() == 0);
        }
        assertThat(storedIds(dsl)).doesNotContain(orphan.requestId());
        assertTotalsAndRollupsMatchRows(dsl);
        assertThat(metrics.rejected.get()).isEqualTo(1);
        String rejected = Files.readString(journal.resolve(DeadLetters.FILE));
        assertThat(rejected.lines()).hasSize(1);
        assertThat(rejected).contains(orphan.requestId().toString()).contains("SQLSTATE 23503");
    }

    @Test
    void atTheBoundTheLedgerRefusesAndAcceptsAgainOnceTheDatabaseCatchesUp() {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "bound", 1, 1);
        long before = rowCount(dsl);
        MeteringConfig config = LedgerTesting.config(journal).withJournalSizes(64 * 1024, 128 * 1024);
        LedgerTesting.CountingMetrics metrics = new LedgerTesting.CountingMetrics();
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 5432);
             HikariDataSource pool = LedgerTesting.pool(proxy.jdbcUrl(db.name()), db.user(), db.password())) {
            proxy.cut();
            try (UsageLedger ledger = UsageLedger.start(config, LedgerTesting.dsl(pool), Clock.systemUTC(), metrics)) {
                SplittableRandom random = new SplittableRandom(6);
                List<UsageEvent> taken = new ArrayList<>();
                CompletionStage<Void> last;
                UsageEvent e;
                do {
                    e = Fixtures.event(keys.getFirst(), Instant.now(), random);
                    last = ledger.accept(e);
                    if (!last.toCompletableFuture().isCompletedExceptionally()) {
                        last.toCompletableFuture().join();
                        taken.add(e);
                    }
                    assertThat(taken.size()).as("the bound stops the ledger").isLessThan(10_000);
                } while (!last.toCompletableFuture().isCompletedExceptionally());

                assertThatRefused(last, UsageRefusedException.Reason.JOURNAL_FULL);
                assertThat(ledger.accepting()).isFalse();
                assertThat(ledger.gauges().journalNearFull()).isTrue();
                assertThat(ledger.gauges().journalBytes()).isGreaterThanOrEqualTo(128 * 1024);
                assertThat(metrics.refused.get()).isEqualTo(1);
                Eventually.await("the writer retries", () -> metrics.retries.get() > 0);
                Eventually.await("the failure is reported", () -> ledger.lastWriteError() != null);

                proxy.restore();
                Eventually.await("accepting again", Duration.ofSeconds(30), ledger::accepting);
                Eventually.await("every taken event stored", Duration.ofSeconds(30),
                        () -> rowCount(dsl) - before == taken.size());
                assertThat(storedIds(dsl)).containsAll(ids(taken)).doesNotContain(e.requestId());
                assertThat(ledger.accept(Fixtures.event(keys.getFirst(), Instant.now(), random))
                        .toCompletableFuture().isCompletedExceptionally()).isFalse();
                Eventually.await("no error once writing works", () -> ledger.lastWriteError() == null);
            }
        }
        assertTotalsAndRollupsMatchRows(dsl);
    }

    /**
     * The writer's clock is set to month and year edges (and a leap day): the partitions around
     * that date are created, and events of last month and of a month older than every partition
     * (a journal replayed after a long outage) land in their own month's partition.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2026-12-01T00:00:00Z", "2026-12-02T10:15:00Z", "2026-12-31T23:59:59.999Z",
            "2027-01-01T00:00:00Z", "2028-02-29T12:00:00Z", "2027-03-02T00:30:00Z"})
    void theWriterCreatesMissingMonthlyPartitionsAndRowsLandInTheirMonth(String today) {
        Instant now = Instant.parse(today);
        YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        Fixtures.Key key = Fixtures.keys(dsl, "partition", 1, 1).getFirst();
        String future = partitionOf(month.plusMonths(3));
        dsl.execute("drop table if exists " + future);
        // Last month's first and last instants, and a month older than the oldest partition.
        Instant lastMonthStart = month.minusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant lastMonthEnd = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1);
        Instant longAgo = month.minusMonths(14).atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant();
        SplittableRandom random = new SplittableRandom(8);
        List<UsageEvent> events = List.of(Fixtures.event(key, lastMonthStart, random),
                Fixtures.event(key, lastMonthEnd, random), Fixtures.event(key, longAgo, random),
                Fixtures.event(key, now, random));
        try (UsageLedger ledger = UsageLedger.start(LedgerTesting.config(journal), dsl,
                Clock.fixed(now, ZoneOffset.UTC), MeteringMetrics.NOOP)) {
            Eventually.await("partition " + future + " created again",
                    () -> dsl.fetchValue("select to_regclass(?)::text", future) != null);
            acceptAll(ledger, events);
            Eventually.await("stored", () -> storedIds(dsl).containsAll(ids(events)));
        }
        assertThat(partitionHolding(events.get(0))).isEqualTo(partitionOf(month.minusMonths(1)));
        assertThat(partitionHolding(events.get(1))).isEqualTo(partitionOf(month.minusMonths(1)));
        assertThat(partitionHolding(events.get(2))).isEqualTo(partitionOf(month.minusMonths(14)));
        assertThat(partitionHolding(events.get(3))).isEqualTo(partitionOf(month));
        assertThat(dsl.fetchValue("select count(*) from api_usage_logs_default")).isEqualTo(0L);
        assertTotalsAndRollupsMatchRows(dsl);
    }

    @Test
    void rowsAlreadyInTheDefaultPartitionMoveToTheirMonthWhenItIsCreated() {
        Fixtures.Key key = Fixtures.keys(dsl, "default", 1, 1).getFirst();
        YearMonth old = YearMonth.of(2019, 2);
        Instant at = old.atDay(28).atTime(23, 59, 59).toInstant(ZoneOffset.UTC);
        UsageEvent event = Fixtures.event(key, at, new SplittableRandom(3));
        // Written while no writer had made sure of its month: the row goes to the default partition.
        dsl.execute("drop table if exists " + partitionOf(old));
        BatchTransaction.standard().write(dsl, Batch.of(List.of(event)));
        assertThat(partitionHolding(event)).isEqualTo("api_usage_logs_default");

        try (UsageLedger ledger = UsageLedger.start(LedgerTesting.config(journal), dsl,
                Clock.fixed(at, ZoneOffset.UTC), MeteringMetrics.NOOP)) {
            Eventually.await("partition " + partitionOf(old) + " created",
                    () -> dsl.fetchValue("select to_regclass(?)::text", partitionOf(old)) != null);
        }
        assertThat(partitionHolding(event)).isEqualTo(partitionOf(old));
    }

    private String partitionHolding(UsageEvent event) {
        return dsl.fetchValue("select tableoid::regclass::text from api_usage_logs where id = ?",
                event.requestId()).toString();
    }

    private static String partitionOf(YearMonth month) {
        return "api_usage_logs_" + month.format(DateTimeFormatter.ofPattern("yyyy_MM"));
    }

    private static void assertThatRefused(CompletionStage<Void> stage, UsageRefusedException.Reason reason) {
        assertThat(stage.toCompletableFuture().isCompletedExceptionally()).isTrue();
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(UsageRefusedException.class);
            assertThat(((UsageRefusedException) e.getCause()).reason()).isEqualTo(reason);
        }
    }
}
