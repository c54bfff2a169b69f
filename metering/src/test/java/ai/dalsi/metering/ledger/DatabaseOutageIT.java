package ai.dalsi.metering.ledger;

import static ai.dalsi.metering.ledger.LedgerAssertions.assertTotalsAndRollupsMatchRows;
import static ai.dalsi.metering.ledger.LedgerAssertions.rowCount;
import static ai.dalsi.metering.ledger.LedgerAssertions.storedIds;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL made unreachable while events stream in, for real: the ledger talks to the database
 * through a TCP forwarder that is cut (listening port closed, every connection reset, in the
 * middle of transactions) and later restored on the same port. Not one acknowledged event may be
 * missing or counted twice.
 */
@ExtendWith(FreshDatabaseExtension.class)
class DatabaseOutageIT {

    private final TestDatabase db;
    private final DSLContext dsl;

    @TempDir
    Path journal;

    DatabaseOutageIT(TestDatabase db) {
        this.db = db;
        this.dsl = db.dsl();
    }

    @Test
    void eventsAcceptedDuringAnOutageAllArriveOnceItEnds() throws Exception {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "outage", 5, 2);
        long before = rowCount(dsl);
        Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
        LedgerTesting.CountingMetrics metrics = new LedgerTesting.CountingMetrics();
        SplittableRandom random = new SplittableRandom(11);
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 5432);
             HikariDataSource pool = LedgerTesting.pool(proxy.jdbcUrl(db.name()), db.user(), db.password());
             UsageLedger ledger = UsageLedger.start(LedgerTesting.config(journal)
                     .withBatching(100, Duration.ofMillis(5)), LedgerTesting.dsl(pool), Clock.systemUTC(), metrics)) {
            // Before: enough events that the writer is busy with them when the database goes away.
            accept(ledger, keys, random, 20_000, acknowledged);
            Eventually.await("rows flowing", Duration.ofSeconds(30), () -> rowCount(dsl) > before + 300);

            proxy.cut(); // mid-stream: connections reset in the middle of the writer's transactions
            assertThat(rowCount(dsl) - before).as("still writing when cut").isLessThan(20_000);
            Eventually.await("the writer notices", Duration.ofSeconds(30), () -> metrics.retries.get() > 0);
            long rowsDuringOutage = rowCount(dsl);

            // During: the edge keeps getting its events acknowledged.
            accept(ledger, keys, random, 5_000, acknowledged);
            assertThat(ledger.accepting()).isTrue();
            assertThat(ledger.gauges().queueDepth()).isPositive();
            Eventually.await("the writer retries while it is down", () -> metrics.retries.get() > 2);
            assertThat(rowCount(dsl)).as("nothing reaches PostgreSQL meanwhile").isEqualTo(rowsDuringOutage);
            assertThat(ledger.gauges().oldestUncommittedAge()).isPositive();
            assertThat(ledger.lastWriteError()).isNotNull();

            // After: the database returns, events keep coming, and the writer catches up.
            proxy.restore();
            accept(ledger, keys, random, 5_000, acknowledged);
            Eventually.await("every acknowledged event stored", Duration.ofSeconds(120),
                    () -> rowCount(dsl) - before == acknowledged.size());
            Eventually.await("queue empty", () -> ledger.gauges().queueDepth() == 0);
            assertThat(ledger.lastWriteError()).isNull();
        }
        assertThat(acknowledged).hasSize(30_000);
        Set<UUID> missing = new java.util.HashSet<>(acknowledged);
        missing.removeAll(storedIds(dsl));
        assertThat(missing).as("acknowledged but not stored").isEmpty();
        assertThat(rowCount(dsl) - before).isEqualTo(acknowledged.size());
        assertTotalsAndRollupsMatchRows(dsl);
    }

    private static void accept(UsageLedger ledger, List<Fixtures.Key> keys, SplittableRandom random, int n,
                               Set<UUID> acknowledged) {
        for (int i = 0; i < n; i++) {
            UsageEvent e = Fixtures.event(keys.get(random.nextInt(keys.size())), Instant.now(), random);
            ledger.accept(e).toCompletableFuture().join();
            acknowledged.add(e.requestId());
        }
    }
}
