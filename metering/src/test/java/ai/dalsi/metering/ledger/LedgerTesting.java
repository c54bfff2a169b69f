package ai.dalsi.metering.ledger;

import ai.dalsi.metering.MeteringConfig;
import ai.dalsi.metering.MeteringMetrics;
import ai.dalsi.metering.UsageRefusedException;
import ai.dalsi.persistence.jooq.Jooq;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.DSLContext;

/** Helpers for ledger integration tests. */
final class LedgerTesting {

    private LedgerTesting() {
    }

    /**
     * Settings for tests: quick batches and retries, segments of 4 MiB (smaller ones fill faster
     * than the journal thread can prepare them when threads append flat out, and the ledger then
     * rightly refuses events).
     */
    static MeteringConfig config(Path journal) {
        return MeteringConfig.defaults(journal)
                .withJournalSizes(4L * 1024 * 1024, 64L * 1024 * 1024)
                .withBatching(500, Duration.ofMillis(20))
                .withRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .withFsyncInterval(Duration.ofMillis(50))
                .withShutdownDrainTimeout(Duration.ofSeconds(20));
    }

    /**
     * A pool that starts even when the server does not answer (like a gateway starting during a
     * database outage) and gives up on a connection attempt after a second.
     */
    static HikariDataSource pool(String jdbcUrl, String user, String password) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(3);
        c.setMinimumIdle(0);
        c.setConnectionTimeout(1000);
        c.setValidationTimeout(500);
        c.setInitializationFailTimeout(-1);
        c.addDataSourceProperty("connectTimeout", "2");
        return new HikariDataSource(c);
    }

    static DSLContext dsl(HikariDataSource pool) {
        return Jooq.dsl(pool);
    }

    /** Counts what the ledger reports. */
    static final class CountingMetrics implements MeteringMetrics {
        final AtomicLong flushedEvents = new AtomicLong();
        final AtomicLong inserted = new AtomicLong();
        /** Events per written batch, in order. */
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        final AtomicInteger retries = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger rejected = new AtomicInteger();
        volatile MeteringGauges gauges;

        @Override
        public void bind(MeteringGauges g) {
            gauges = g;
        }

        @Override
        public void flushed(int events, int ins, Duration duration) {
            flushedEvents.addAndGet(events);
            batches.add(events);
            inserted.addAndGet(ins);
        }

        @Override
        public void retried() {
            retries.incrementAndGet();
        }

        @Override
        public void refused(UsageRefusedException.Reason reason) {
            refused.incrementAndGet();
        }

        @Override
        public void rejected(int events) {
            rejected.addAndGet(events);
        }
    }
}
