package ai.dalsi.metering.ledger;

import static ai.dalsi.metering.ledger.LedgerAssertions.assertTotalsAndRollupsMatchRows;
import static ai.dalsi.metering.ledger.LedgerAssertions.rowCount;
import static ai.dalsi.metering.ledger.LedgerAssertions.storedIds;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.MeteringMetrics;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM running the ledger under load is killed with SIGKILL, then a fresh ledger starts on the
 * same journal directory. What "exactly once" means here, precisely:
 * <ul>
 *   <li>every event whose stage completed (the child recorded it as acknowledged) is stored;</li>
 *   <li>every stored event was handed to the ledger (none invented);</li>
 *   <li>the stored events that were not acknowledged are at most one per producer thread: an
 *       event journaled in the instant between its append and the acknowledgement line;</li>
 *   <li>each is stored once, and key totals and rollups equal the sums of the rows.</li>
 * </ul>
 */
@ExtendWith(FreshDatabaseExtension.class)
class CrashRecoveryIT {

    private final TestDatabase db;
    private final DSLContext dsl;

    @TempDir
    Path journal;

    @TempDir
    Path out;

    CrashRecoveryIT(TestDatabase db) {
        this.db = db;
        this.dsl = db.dsl();
    }

    @Test
    void afterSigkillEveryAcknowledgedEventIsStoredOnceAndNothingElse() throws Exception {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "crash", 4, 2);
        long before = rowCount(dsl);
        Process child = startChild(keys);
        try {
            Eventually.await("the child acknowledges events under load", Duration.ofSeconds(90),
                    () -> lines("acked-").size() >= 20_000);
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no drain, no final force
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).isEqualTo(137);

        Set<UUID> acked = ids(lines("acked-"));
        Set<UUID> attempted = ids(lines("attempted-"));
        long atKill = rowCount(dsl) - before;
        assertThat(atKill).as("the child's writer had stored some").isPositive();
        assertThat(atKill).as("acknowledged events only in the journal at the kill").isLessThan(acked.size());

        try (UsageLedger ledger = UsageLedger.start(LedgerTesting.config(journal)
                .withJournalSizes(4L * 1024 * 1024, 1L << 30), dsl, Clock.systemUTC(), MeteringMetrics.NOOP)) {
            Eventually.await("the journal is replayed", Duration.ofSeconds(180),
                    () -> ledger.gauges().queueDepth() == 0 && storedIds(dsl).containsAll(acked));
        }

        Set<UUID> stored = storedIds(dsl);
        // Set differences, not AssertJ's containsAll, which compares every pair (hundreds of thousands here).
        assertThat(difference(acked, stored)).as("acknowledged but not stored").isEmpty();
        assertThat(difference(stored, attempted)).as("stored but never handed over").isEmpty();
        Set<UUID> extra = difference(stored, acked);
        assertThat(extra.size()).as("stored but not acknowledged").isLessThanOrEqualTo(3);
        assertThat(rowCount(dsl) - before).isEqualTo(stored.size());
        assertTotalsAndRollupsMatchRows(dsl);
    }

    private Process startChild(List<Fixtures.Key> keys) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), LedgerCrashChild.class.getName(), journal.toString(),
                out.toString(), db.jdbcUrl(), db.user(), db.password()));
        for (Fixtures.Key k : keys) {
            cmd.add(k.userId() + ":" + k.keyId());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true).redirectOutput(out.resolve("child.log").toFile());
        return pb.start();
    }

    /** Complete lines (a kill may cut the last one short) of every file with the prefix. */
    private List<String> lines(String prefix) throws IOException {
        List<String> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.US_ASCII);
                for (String line : text.split("\n", -1)) {
                    if (line.length() == 36) {
                        all.add(line);
                    }
                }
            }
        }
        return all;
    }

    private static Set<UUID> difference(Set<UUID> a, Set<UUID> b) {
        Set<UUID> d = new HashSet<>(a);
        d.removeAll(b);
        return d;
    }

    private static Set<UUID> ids(List<String> lines) {
        Set<UUID> s = new HashSet<>();
        for (String l : lines) {
            s.add(UUID.fromString(l));
        }
        return s;
    }
}
